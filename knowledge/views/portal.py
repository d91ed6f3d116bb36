"""Portal pages of the knowledge base: search and read, then say whether it helped."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from knowledge import selectors, services
from knowledge.forms import FeedbackForm
from knowledge.models import Article, ArticleFeedback

RESULTS = 20


@login_required
def article_search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    results = selectors.article_search(user=request.user, query=query, limit=RESULTS)
    return render(request, "knowledge/portal/search.html", {"query": query, "results": results})


@login_required
def article_detail(request, number: str):
    """An article for reading. Internal or unpublished articles answer 404 to requesters."""
    try:
        article = selectors.article_get_for_user(user=request.user, number=number)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    mine = ArticleFeedback.objects.filter(article=article, user=request.user).first()
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
            return redirect("knowledge-portal:article-detail", number=article.number)
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
