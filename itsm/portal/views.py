"""Portal pages of its own: home, search across articles and the catalog, and the deflection
flow behind "Report an incident" (suggestions while typing, "this solved it")."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from itsm.portal import selectors, services
from itsm.portal.banners import banner_list_for_portal
from knowledge.models import Article
from knowledge.selectors import article_get_for_user, article_list_suggested

QUERY_MAX = 200


def _query(request: HttpRequest, *names: str) -> str:
    for name in names:
        value = (request.GET.get(name) or request.POST.get(name) or "").strip()
        if value:
            return value[:QUERY_MAX]
    return ""


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = selectors.portal_home(user=request.user)
    context["banners"] = banner_list_for_portal(user=request.user)
    return render(request, "portal/home.html", context)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = _query(request, "q")
    results = selectors.portal_search(user=request.user, query=query)
    return render(request, "portal/search.html", {"query": query, **results})


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Articles matching what the requester is typing, as a fragment for the report form.

    Without htmx (someone opened the URL itself) the full search page is the better answer.
    """
    text = _query(request, "q", "short_description")
    if not request.htmx:
        return redirect(reverse("portal:search") + ("?" + urlencode({"q": text}) if text else ""))
    suggestions = article_list_suggested(user=request.user, text=text)
    return render(
        request, "portal/_suggestions.html", {"suggestions": suggestions, "suggest_query": text}
    )


@login_required
@require_POST
def deflect(request: HttpRequest) -> HttpResponse:
    """ "This solved it": record the deflection and thank the requester; no ticket is raised.

    The buttons sit inside the report form (formaction), so the subject typed so far arrives
    as `short_description` and is kept as the deflection's query.
    """
    number = (request.POST.get("article") or "").strip()
    try:
        article = article_get_for_user(user=request.user, number=number)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    services.deflection_record(
        user=request.user, article=article, query=_query(request, "short_description", "q")
    )
    return redirect(reverse("portal:deflected") + f"?article={article.number}")


@login_required
@require_GET
def deflected(request: HttpRequest) -> HttpResponse:
    article = None
    number = (request.GET.get("article") or "").strip()
    if number:
        try:
            article = article_get_for_user(user=request.user, number=number)
        except Article.DoesNotExist:
            article = None
    return render(request, "portal/deflected.html", {"article": article})
