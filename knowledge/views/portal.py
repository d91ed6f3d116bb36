"""Portal pages of the knowledge base: search and read, then say whether it helped."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from knowledge import selectors, services
from knowledge.forms import FeedbackForm
from knowledge.models import Article

RESULTS = 20
MOST_READ = 10
IN_CATEGORY = 50


@login_required
def article_search(request):
    """The portal's knowledge base: search results for `q`; without one, browse: categories
    with their article counts and the most read articles (of `category`, when chosen)."""
    query = (request.GET.get("q") or "").strip()[:200]
    category = None
    if category_id := request.GET.get("category", ""):
        category = selectors.category_get_for_browse(category_id=category_id)
        if category is None:
            raise Http404("No such category.")
    context = {"query": query, "category": category}
    if query:
        context["results"] = selectors.article_search(
            user=request.user, query=query, limit=RESULTS, category=category and category.pk
        )
    else:
        context["categories"] = selectors.category_list_with_counts(
            user=request.user, parent_id=category and category.pk
        )
        context["top"] = selectors.article_list_most_read(
            user=request.user,
            category_id=category and category.pk,
            limit=IN_CATEGORY if category else MOST_READ,
        )
    return render(request, "knowledge/portal/search.html", context)


@login_required
def article_detail(request, number: str):
    """An article for reading. Internal or unpublished articles answer 404 to requesters."""
    try:
        article = selectors.article_get_for_user(user=request.user, number=number)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    mine = selectors.article_feedback_of(article=article, user=request.user)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            services.article_feedback_give(
                article=article,
                user=request.user,
                is_helpful=form.cleaned_data["is_helpful"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, "Thank you for your feedback.")
            return redirect("knowledge:portal-article-detail", number=article.number)
    else:
        services.article_record_view(article=article)
        form = FeedbackForm(
            initial={"is_helpful": "yes" if mine.is_helpful else "no", "comment": mine.comment}
            if mine
            else None
        )
    return render(
        request,
        "knowledge/portal/article_detail.html",
        {"article": article, "form": form, "mine": mine},
    )
