"""Desk pages for problem management: list, detail (RCA, incidents, timeline), create/edit,
the candidates queue, and linking from an incident's page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from itsm.core.exceptions import DomainError
from itsm.core.pages import SeekPage
from itsm.core.views import desk_view
from problems import selectors, services, workflow
from problems.choices import PROBLEM_STATUS_BADGE
from problems.filtersets import ProblemFilterSet
from problems.forms import (
    KnownErrorForm,
    LinkIncidentsForm,
    LinkToProblemForm,
    ProblemForm,
    ProblemTransitionForm,
    RcaForm,
)
from problems.models import Problem, ProblemCandidate
from tickets import selectors as ticket_selectors
from tickets.choices import TicketKind
from tickets.models import MajorIncident, Ticket


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
        "candidate_count": ProblemCandidate.objects.filter(status="open").count(),
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
        try:
            problem = services.problem_create(actor=request.user, **_problem_form_values(form))
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{problem.number} raised.")
            return redirect(problem.get_absolute_url())
    return render(request, "problems/problem_form.html", {"form": form, "problem": None})


@desk_view
def problem_edit(request: HttpRequest, number: str) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, number=number)
    initial = {
        "version": problem.version,
        "statement": problem.statement,
        "description": problem.description,
        "priority": problem.priority,
        "service": problem.service_id,
        "ci": problem.ci_id,
        "category": problem.category_id,
        "assignee": problem.assignee_id,
    }
    form = ProblemForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_update(
                problem=problem,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **_problem_form_values(form),
            )
        except DomainError as error:
            status = error.status_code
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Problem saved.")
            return redirect(problem.get_absolute_url())
    return render(
        request, "problems/problem_form.html", {"form": form, "problem": problem}, status=status
    )


def _act(request: HttpRequest, problem: Problem, form_name: str, form, call) -> HttpResponse:
    """Run one service from a detail-page form; errors re-render the page with the input."""
    if not form.is_valid():
        return _detail(request, problem, status=400, **{form_name: form})
    try:
        message = call(form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        fresh = selectors.problem_get(user=request.user, number=problem.number)
        return _detail(request, fresh, status=error.status_code, **{form_name: form})
    messages.success(request, message)
    return redirect(problem.get_absolute_url())


@desk_view
@require_POST
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
def problem_link_incidents(request: HttpRequest, number: str) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, number=number)

    def call(data: dict) -> str:
        numbers = data["numbers"]
        found = {
            t.number: t for t in Ticket.objects.filter(number__in=numbers, kind=TicketKind.INCIDENT)
        }
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
    problem = Problem.objects.filter(number=form.cleaned_data["problem"].strip().upper()).first()
    if problem is None:
        messages.error(request, f"There is no problem {form.cleaned_data['problem']}.")
        return redirect(ticket.get_absolute_url())
    try:
        services.problem_link_incidents(problem=problem, actor=request.user, incidents=[ticket])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{ticket.number} is linked to {problem.number}.")
    return redirect(ticket.get_absolute_url())


@desk_view
@require_POST
def problem_from_major_incident(request: HttpRequest, major_id: int) -> HttpResponse:
    """The post-incident review's "open a problem" button."""
    major = get_object_or_404(MajorIncident.objects.select_related("ticket"), pk=major_id)
    try:
        problem = services.problem_create_from_major_incident(major=major, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(major.get_absolute_url())
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
    candidate = get_object_or_404(ProblemCandidate, pk=pk)
    try:
        problem = services.problem_candidate_accept(
            candidate=candidate,
            actor=request.user,
            statement=request.POST.get("statement", "")[:200],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("problems:desk-candidate-list")
    messages.success(
        request, f"{problem.number} raised with {len(candidate.incident_ids)} incidents."
    )
    return redirect(problem.get_absolute_url())


@desk_view
@require_POST
def candidate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(ProblemCandidate, pk=pk)
    try:
        services.problem_candidate_dismiss(
            candidate=candidate, actor=request.user, note=request.POST.get("note", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Dismissed; this group will not be proposed again.")
    return redirect("problems:desk-candidate-list")
