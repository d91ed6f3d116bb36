"""Macros in the desk: apply one from the ticket page, and the list where team leads and
managers keep them; plus the @mention type-ahead of the reply box."""

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itsm.core.exceptions import DomainError
from itsm.core.refusals import FormRefusal, errors_into
from itsm.core.views import DeskRequest, desk_view
from tickets import selectors, services
from tickets.forms import MacroApplyForm, MacroForm
from tickets.mentions import mention_suggestions
from tickets.models import Macro
from tickets.views.desk import _after_write, _refused_on_ticket_page, _render_detail


@desk_view
@require_POST
@_refused_on_ticket_page("macro-form", "macro_form", MacroApplyForm)
def ticket_macro_apply(request: DeskRequest, number: str) -> HttpResponse:
    """Apply the chosen macro to this ticket: every step or none (a refused step is shown in
    the macro form's slot, naming the step, and the ticket is as it was)."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = MacroApplyForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, ticket, status=400, macro_form=form)
    done = services.macro_apply(
        macro=form.cleaned_data["macro"],
        ticket=ticket,
        actor=request.user,
        expected_version=form.cleaned_data["version"],
    )
    return _after_write(request, number, done[0].upper() + done[1:])


@desk_view
@require_GET
def macro_list(request: DeskRequest) -> HttpResponse:
    """Every macro with its steps; those the agent may manage have edit and delete."""
    macros = list(
        Macro.objects.select_related(
            "team", "category", "assignment_team", "assignee", "article"
        ).order_by("name")
    )
    rows = [
        (
            macro,
            services.macro_steps(macro),
            services.macro_may_manage(actor=request.user, team=macro.team),
        )
        for macro in macros
    ]
    may_create = services.macro_may_manage(actor=request.user, team=None) or bool(
        request.user.led_teams.exists()
    )
    return render(request, "tickets/desk/macro_list.html", {"rows": rows, "may_create": may_create})


@desk_view
@require_http_methods(["GET", "POST"])
def macro_create(request: DeskRequest) -> HttpResponse:
    form = MacroForm(request.POST or None)
    refusal = FormRefusal()
    if request.method == "POST" and form.is_valid():
        with errors_into(form) as refusal:
            macro = services.macro_create(actor=request.user, **form.values())
            messages.success(request, f"Macro “{macro}” saved.")
            return redirect("tickets:desk-macro-list")
    status = refusal.status if form.is_bound and form.is_valid() else 400 if form.is_bound else 200
    return render(
        request, "tickets/desk/macro_form.html", {"form": form, "macro": None}, status=status
    )


def _macro_or_404(pk: int) -> Macro:
    macro = Macro.objects.filter(pk=pk).first()
    if macro is None:
        raise Http404("No such macro.")
    return macro


@desk_view
@require_http_methods(["GET", "POST"])
def macro_edit(request: DeskRequest, pk: int) -> HttpResponse:
    macro = _macro_or_404(pk)
    initial = {**model_to_dict(macro, fields=services.MACRO_FIELDS), "version": macro.version}
    form = MacroForm(request.POST or None, initial=initial)
    refusal = FormRefusal()
    if request.method == "POST" and form.is_valid():
        with errors_into(form) as refusal:
            services.macro_update(
                macro=macro,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **form.values(),
            )
            messages.success(request, f"Macro “{form.cleaned_data['name']}” saved.")
            return redirect("tickets:desk-macro-list")
    status = refusal.status if form.is_bound and form.is_valid() else 400 if form.is_bound else 200
    return render(
        request, "tickets/desk/macro_form.html", {"form": form, "macro": macro}, status=status
    )


@desk_view
@require_POST
def macro_delete(request: DeskRequest, pk: int) -> HttpResponse:
    macro = _macro_or_404(pk)
    try:
        services.macro_delete(macro=macro, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Macro “{macro.name}” deleted.")
    return redirect("tickets:desk-macro-list")


@desk_view
@require_GET
def mention_suggestions_view(request: HttpRequest) -> JsonResponse:
    """Agents and teams whose @handle starts with `q`, for the work-note type-ahead."""
    prefix = request.GET.get("q", "")
    return JsonResponse(
        {
            "results": [
                {"handle": handle, "label": label}
                for handle, label in mention_suggestions(prefix=prefix)
            ]
        }
    )
