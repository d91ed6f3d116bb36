"""Desk pages of the knowledge base: list and search, detail, edit, review, versions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.core.refusals import FormRefusal, errors_into
from itsm.core.views import desk_view
from knowledge import selectors, services, workflow
from knowledge.choices import ArticleStatus
from knowledge.filtersets import ArticleFilterSet
from knowledge.forms import ArticleForm
from knowledge.models import Article
from knowledge.panels import article_facts_for
from knowledge.rendering import diff_html

PAGE_SIZE = 50


def _get(request, number: str) -> Article:
    try:
        return selectors.article_get_for_user(user=request.user, number=number)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


@desk_view
def article_list(request):
    filterset = ArticleFilterSet(
        request.GET, queryset=selectors.article_list_for_browse(user=request.user)
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filterset": filterset, "page": page, "query": query.urlencode()}
    template = "_article_table.html" if request.htmx else "article_list.html"
    return render(request, f"knowledge/desk/{template}", context)


@desk_view
def article_detail(request, number: str):
    """The article with its working text: the open revision's when there is one (the
    published text stays live meanwhile), the moves the user may make, and, while the text
    is in review, why the user may not publish it and who may."""
    article = _get(request, number)
    revision = selectors.article_revision_of(article)
    working = revision or article
    publish_refusal = reviewers = None
    if working.status == ArticleStatus.REVIEW:
        publish_refusal = workflow.refusal(working, request.user, ArticleStatus.PUBLISHED)
        if publish_refusal:
            reviewers = selectors.article_reviewer_list(author_id=working.last_edited_by_id)
    return render(
        request,
        "knowledge/desk/article_detail.html",
        {
            "article": article,
            "revision": revision,
            "working": working,
            "versions": selectors.article_version_list(article=article),
            "timeline": selectors.article_timeline(article=article),
            "transitions": workflow.allowed_transitions(working, request.user),
            "publish_refusal": publish_refusal,
            "reviewers": reviewers,
            "can_edit": request.user.has_perm("knowledge.change_article"),
            "facts": article_facts_for(article=article, user=request.user),
        },
    )


def _form_initial(article: Article) -> dict:
    working = selectors.article_revision_of(article) or article
    return {
        "title": working.title,
        "summary": working.summary,
        "body": working.body,
        "category": article.category_id,
        "tags": ", ".join(article.tags),
        "audience": article.audience,
        "services": list(article.services.all()),
        "review_by": article.review_by,
        "version": article.version,
    }


@desk_view
def article_create(request):
    if not request.user.has_perm("knowledge.add_article"):
        raise PermissionDenied("You may not write articles.")
    form = ArticleForm(request.POST or None, initial={"audience": "public"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        with errors_into(form):
            article = services.article_create(actor=request.user, **data)
            messages.success(request, f"{article.number} saved as a draft.")
            return redirect(article)
    return render(request, "knowledge/desk/article_form.html", {"form": form, "article": None})


@desk_view
def article_edit(request, number: str):
    if not request.user.has_perm("knowledge.change_article"):
        raise PermissionDenied("You may not edit articles.")
    article = _get(request, number)
    form = ArticleForm(request.POST or None, initial=_form_initial(article))
    refusal = FormRefusal()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # A stale edit keeps what was typed; the message says how to merge by hand.
        with errors_into(form) as refusal:
            article = services.article_update(
                article=article,
                actor=request.user,
                expected_version=data.pop("version"),
                **data,
            )
            messages.success(request, f"{article.number} saved.")
            return redirect(article)
    return render(
        request,
        "knowledge/desk/article_form.html",
        {"form": form, "article": article, "stale": refusal.is_stale},
        status=refusal.status,
    )


@desk_view
@require_POST
def article_transition(request, number: str):
    article = _get(request, number)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    article = services.article_transition(
        article=article,
        actor=request.user,
        to_status=request.POST.get("to_status", ""),
        expected_version=version,
    )
    messages.success(request, _moved_message(article))
    return redirect(article)


def _moved_message(article: Article) -> str:
    revision = selectors.article_revision_of(article)
    if revision is None:
        return f"{article.number} is now {article.get_status_display()}."
    return (
        f"The revision of {article.number} is now {revision.get_status_display()}; "
        "readers still see the published version."
    )


@desk_view
@require_POST
def article_revision_discard(request, number: str):
    article = _get(request, number)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    services.article_revision_discard(article=article, actor=request.user, expected_version=version)
    messages.success(request, "Revision discarded; the published text is unchanged.")
    return redirect(article)


@desk_view
@require_POST
def article_restore(request, number: str, version_number: int):
    article = _get(request, number)
    selectors.article_version_get(article=article, number=version_number)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    article = services.article_restore_version(
        article=article,
        actor=request.user,
        version_number=version_number,
        expected_version=version,
    )
    messages.success(request, f"Version {version_number} restored as a new draft.")
    return redirect(article)


@desk_view
def article_version_detail(request, number: str, version_number: int):
    article = _get(request, number)
    version = selectors.article_version_get(article=article, number=version_number)
    return render(
        request,
        "knowledge/desk/article_version.html",
        {"article": article, "version": version},
    )


@desk_view
def article_version_diff(request, number: str):
    """Diff two published versions (?from=1&to=2); without `to`, against the working text."""
    article = _get(request, number)
    versions = {v.number: v for v in selectors.article_version_list(article=article)}
    try:
        old = versions[int(request.GET.get("from", ""))]
    except (KeyError, ValueError):
        raise Http404("No such version.") from None
    to = request.GET.get("to")
    if to:
        try:
            new = versions[int(to)]
        except (KeyError, ValueError):
            raise Http404("No such version.") from None
        new_label, new_title, new_body = f"Version {new.number}", new.title, new.body
    else:
        working = selectors.article_revision_of(article) or article
        new_label, new_title, new_body = "Working text", working.title, working.body
    old_text = f"# {old.title}\n\n{old.summary}\n\n{old.body}"
    new_summary = new.summary if to else working.summary
    new_text = f"# {new_title}\n\n{new_summary}\n\n{new_body}"
    return render(
        request,
        "knowledge/desk/article_diff.html",
        {
            "article": article,
            "old": old,
            "new_label": new_label,
            "versions": sorted(versions),
            "diff": diff_html(
                old_text, new_text, old_label=f"Version {old.number}", new_label=new_label
            ),
        },
    )


@desk_view
def editor_queue(request):
    return render(
        request,
        "knowledge/desk/editor_queue.html",
        {"queue": selectors.article_list_for_editor_queue()},
    )
