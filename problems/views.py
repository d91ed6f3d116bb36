"""Desk pages for problem management: list, detail (RCA, incidents, timeline), create/edit,
the candidates queue, and linking from an incident's page."""

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.core.exceptions import StaleVersion
from itsm.core.pages import SeekPage
from itsm.core.refusals import (
    FormRefusal,
    errors_into,
    refusal_message,
    refusal_page,
    refusal_status,
)
from itsm.core.views import desk_view
from problems import selectors, services, workflow
from problems.choices import PROBLEM_STATUS_BADGE
from problems.fields import PROBLEM_DESCRIPTION_FIELDS
from problems.filtersets import ProblemFilterSet
from problems.forms import (
    KnownErrorForm,
    LinkIncidentsForm,
    LinkToProblemForm,
    ProblemForm,
    ProblemTransitionForm,
    RcaForm,
)
from problems.models import Problem
from tickets import selectors as ticket_selectors
from tickets.major import selectors as major_selectors


@desk_view
def problem_list(request: HttpRequest) -> HttpResponse:
    """Filtered list; the rows alone when htmx asks for them."""
    filterset = ProblemFilterSet(request.GET, queryset=selectors.problem_list(user=request.user))
    page = SeekPage(
        filterset.qs.order_by("-created_at", "-id"), number=request.GET.get("page"), size=50
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "query": query.urlencode(),
        "status_badge": PROBLEM_STATUS_BADGE,
        "candidate_count": selectors.problem_candidate_count_open(),
    }
    if request.htmx and request.htmx.target == "problem-table":
        return render(request, "problems/_problem_table.html", context)
    return render(request, "problems/problem_list.html", context)


def _detail(request: HttpRequest, problem: Problem, status: int = 200, **forms) -> HttpResponse:
    analysis = problem.rca_analysis or {}
    context = {
        "problem": problem,
        "status_badge": PROBLEM_STATUS_BADGE,
        "incidents": selectors.problem_incidents(problem=problem),
        "timeline": selectors.problem_timeline(problem=problem),
        "transitions": workflow.allowed_transitions(problem),
        "transition_form": forms.get("transition_form")
        or ProblemTransitionForm(initial={"version": problem.version}),
        "rca_form": forms.get("rca_form")
        or RcaForm(
            initial={
                "version": problem.version,
                "symptoms": problem.symptoms,
                "root_cause": problem.root_cause,
                "rca_method": problem.rca_method,
                "whys": "\n".join(analysis.get("steps", [])),
            }
        ),
        "known_error_form": forms.get("known_error_form")
        or KnownErrorForm(initial={"version": problem.version, "workaround": problem.workaround}),
        "link_form": forms.get("link_form") or LinkIncidentsForm(),
        "can_manage": request.user.has_perm("problems.change_problem"),
    }
    return render(request, "problems/problem_detail.html", context, status=status)


@desk_view
def problem_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, selectors.problem_get(user=request.user, number=number))


def _problem_form_values(form: ProblemForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


@desk_view
def problem_create(request: HttpRequest) -> HttpResponse:
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            problem = services.problem_create(actor=request.user, **_problem_form_values(form))
            messages.success(request, f"{problem.number} raised.")
            return redirect(problem.get_absolute_url())
    return render(request, "problems/problem_form.html", {"form": form, "problem": None})


@desk_view
def problem_edit(request: HttpRequest, number: str) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, number=number)
    initial = {
        "version": problem.version,
        **{name: problem.serializable_value(name) for name in PROBLEM_DESCRIPTION_FIELDS},
    }
    form = ProblemForm(request.POST or None, initial=initial)
    refusal = FormRefusal()
    if request.method == "POST" and form.is_valid():
        with errors_into(form) as refusal:
            services.problem_update(
                problem=problem,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **_problem_form_values(form),
            )
            messages.success(request, "Problem saved.")
            return redirect(problem.get_absolute_url())
    return render(
        request,
        "problems/problem_form.html",
        {"form": form, "problem": problem},
        status=refusal.status,
    )


def _act(request: HttpRequest, problem: Problem, form_name: str, form, call) -> HttpResponse:
    """Run one service from a detail-page form; invalid input re-renders the page with it (a
    refused service does too, through `_refused_on_problem_page`)."""
    if not form.is_valid():
        return _detail(request, problem, status=400, **{form_name: form})
    messages.success(request, call(form.cleaned_data))
    return redirect(problem.get_absolute_url())


def _refused_on_problem_page(form_name: str, form_class: type[Form]):
    """The problem page again, freshly read, with the refused form bound to what was typed
    (carrying the current version after a stale one, so sending it again works)."""

    def page(request: HttpRequest, error: Exception, number: str) -> HttpResponse:
        problem = selectors.problem_get(user=request.user, number=number)
        data = request.POST.copy()
        if isinstance(error, StaleVersion):
            data["version"] = str(problem.version)
        messages.error(request, refusal_message(error))
        return _detail(
            request, problem, status=refusal_status(error), **{form_name: form_class(data)}
        )

    return refusal_page(page)


@desk_view
@require_POST
@_refused_on_problem_page("transition_form", ProblemTransitionForm)
def problem_transition(request: HttpRequest, number: str) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, number=number)

    def call(data: dict) -> str:
        moved = services.problem_transition(
            problem=problem,
            actor=request.user,
            to_status=data["to_status"],
            expected_version=data["version"],
            root_cause=data["root_cause"],
            resolution_notes=data["resolution_notes"],
            reason=data["reason"],
        )
        return f"{moved.number} is now {moved.get_status_display().lower()}."

    return _act(request, problem, "transition_form", ProblemTransitionForm(request.POST), call)


@desk_view
@require_POST
@_refused_on_problem_page("rca_form", RcaForm)
def problem_rca(request: HttpRequest, number: str) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, number=number)

    def call(data: dict) -> str:
        steps = [line.strip() for line in data["whys"].splitlines() if line.strip()]
        services.problem_update(
            problem=problem,
            actor=request.user,
            expected_version=data["version"],
            symptoms=data["symptoms"],
            root_cause=data["root_cause"],
            rca_method=data["rca_method"],
            rca_analysis={"steps": steps} if steps else {},
        )
        return "Root-cause analysis saved."

    return _act(request, problem, "rca_form", RcaForm(request.POST), call)


@desk_view
@require_POST
@_refused_on_problem_page("known_error_form", KnownErrorForm)
def problem_publish_known_error(request: HttpRequest, number: str) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, number=number)

    def call(data: dict) -> str:
        published = services.problem_publish_known_error(
            problem=problem,
            actor=request.user,
            expected_version=data["version"],
            workaround=data["workaround"],
            create_article=data["create_article"],
        )
        if published.knowledge_article_id:
            return f"Known error published; article draft {published.knowledge_article.number}."
        return "Known error published: agents now see the workaround on matching incidents."

    return _act(request, problem, "known_error_form", KnownErrorForm(request.POST), call)


@desk_view
@require_POST
@_refused_on_problem_page("link_form", LinkIncidentsForm)
def problem_link_incidents(request: HttpRequest, number: str) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, number=number)

    def call(data: dict) -> str:
        numbers = data["numbers"]
        found = ticket_selectors.incident_list_by_number(user=request.user, numbers=numbers)
        missing = [n for n in numbers if n not in found]
        if missing:
            raise services.InvalidProblemInput(f"No such incident: {', '.join(missing)}.")
        linked = services.problem_link_incidents(
            problem=problem, actor=request.user, incidents=[found[n] for n in numbers]
        )
        return f"Linked {len(linked)} incident{'s' if len(linked) != 1 else ''}."

    return _act(request, problem, "link_form", LinkIncidentsForm(request.POST), call)


@desk_view
@require_POST
def incident_link_problem(request: HttpRequest, ticket_number: str) -> HttpResponse:
    """From an incident's page: link it to an existing problem by number."""
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, number=ticket_number)
    form = LinkToProblemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the problem number, e.g. PRB0001001.")
        return redirect(ticket.get_absolute_url())
    problem = selectors.problem_get_by_number_or_none(
        user=request.user, number=form.cleaned_data["problem"]
    )
    if problem is None:
        messages.error(request, f"There is no problem {form.cleaned_data['problem']}.")
        return redirect(ticket.get_absolute_url())
    services.problem_link_incidents(problem=problem, actor=request.user, incidents=[ticket])
    messages.success(request, f"{ticket.number} is linked to {problem.number}.")
    return redirect(ticket.get_absolute_url())


@desk_view
@require_POST
def problem_from_major_incident(request: HttpRequest, major_id: int) -> HttpResponse:
    """The post-incident review's "open a problem" button."""
    major = major_selectors.major_get(pk=major_id)
    problem = services.problem_create_from_major_incident(major=major, actor=request.user)
    messages.success(request, f"{problem.number} opened from the review.")
    return redirect(problem.get_absolute_url())


# --- Candidates queue ---


@desk_view
def candidate_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "problems/candidate_list.html",
        {"candidates": selectors.problem_candidates_open()},
    )


@desk_view
@require_POST
def candidate_accept(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.problem_candidate_get(pk=pk)
    problem = services.problem_candidate_accept(
        candidate=candidate,
        actor=request.user,
        statement=request.POST.get("statement", "")[:200],
    )
    messages.success(
        request, f"{problem.number} raised with {len(candidate.incident_ids)} incidents."
    )
    return redirect(problem.get_absolute_url())


@desk_view
@require_POST
def candidate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.problem_candidate_get(pk=pk)
    services.problem_candidate_dismiss(
        candidate=candidate, actor=request.user, note=request.POST.get("note", "")
    )
    messages.success(request, "Dismissed; this group will not be proposed again.")
    return redirect("problems:desk-candidate-list")
