from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.audit.selectors import audit_list_for_record
from itsm.cmdb import selectors, services
from itsm.cmdb.filtersets import ConfigurationItemFilterSet, ServiceFilterSet
from itsm.cmdb.forms import CiForm, CiRelationForm, ServiceCiForm
from itsm.core.exceptions import PermissionRefused
from itsm.core.refusals import errors_into
from itsm.core.views import desk_view

PAGE_SIZE = 50


@desk_view
def service_list(request):
    filterset = ServiceFilterSet(request.GET, queryset=selectors.service_list_for_browse())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "cmdb/_service_table.html" if request.htmx else "cmdb/service_list.html"
    return render(request, template, {"filterset": filterset, "page": page})


def _service_cis_context(request, service, form=None) -> dict:
    cis = list(selectors.ci_list_for_service(service=service))
    return {
        "service": service,
        "cis": cis,
        "graph": selectors.service_neighbourhood(service=service, ci_ids=[ci.pk for ci in cis]),
        "ci_form": form or ServiceCiForm(),
        "can_edit": request.user.has_perm("cmdb.change_configurationitem"),
    }


@desk_view
def service_detail(request, pk: int):
    service = selectors.service_get_for_browse(pk=pk)
    return render(
        request,
        "cmdb/service_detail.html",
        {
            **_service_cis_context(request, service),
            "timeline": audit_list_for_record(record=service),
        },
    )


def _service_cis_answer(request, service, form=None, status=200) -> HttpResponse:
    if request.htmx:
        return render(
            request,
            "cmdb/_service_cis.html",
            _service_cis_context(request, service, form),
            status=status,
        )
    return redirect(service.get_absolute_url())


@desk_view
@require_POST
def service_ci_add(request, pk: int):
    """Put a CI into this service; a refusal comes back next to the field."""
    service = selectors.service_get_for_browse(pk=pk)
    form = ServiceCiForm(request.POST)
    if form.is_valid():
        with errors_into(form) as refusal:
            ci = form.cleaned_data["ci"]
            services.ci_update(ci=ci, actor=request.user, service=service)
            return _service_cis_answer(request, service)
        return _service_cis_answer(request, service, form, status=refusal.status)
    return _service_cis_answer(request, service, form, status=400)


@desk_view
@require_POST
def service_ci_remove(request, pk: int, ci_pk: int):
    service = selectors.service_get_for_browse(pk=pk)
    ci = selectors.ci_get_for_browse(pk=ci_pk)
    if ci.service_id == service.pk:
        services.ci_update(ci=ci, actor=request.user, service=None)
    return _service_cis_answer(request, service)


@desk_view
def ci_list(request):
    filterset = ConfigurationItemFilterSet(request.GET, queryset=selectors.ci_list_for_browse())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "cmdb/_ci_table.html" if request.htmx else "cmdb/ci_list.html"
    return render(
        request,
        template,
        {
            "filterset": filterset,
            "page": page,
            "can_add": request.user.has_perm("cmdb.add_configurationitem"),
        },
    )


def _ci_relations_context(request, ci, form=None) -> dict:
    return {
        "ci": ci,
        "graph": selectors.ci_neighbourhood(ci=ci),
        "relation_form": form or CiRelationForm(),
        "can_relate": request.user.has_perm("cmdb.add_cirelation"),
    }


@desk_view
def ci_detail(request, pk: int):
    ci = selectors.ci_get_for_browse(pk=pk)
    return render(
        request,
        "cmdb/ci_detail.html",
        {
            **_ci_relations_context(request, ci),
            "can_edit": request.user.has_perm("cmdb.change_configurationitem"),
            "timeline": audit_list_for_record(record=ci),
        },
    )


def _ci_relations_answer(request, ci, form=None, status=200) -> HttpResponse:
    if request.htmx:
        return render(
            request,
            "cmdb/_ci_relations.html",
            _ci_relations_context(request, ci, form),
            status=status,
        )
    return redirect(ci.get_absolute_url())


@desk_view
@require_POST
def ci_relation_add(request, pk: int):
    """Add a relation from (or to) this CI; a refusal (a self-relation, a duplicate, no
    permission) comes back next to the field it is about."""
    ci = selectors.ci_get_for_browse(pk=pk)
    form = CiRelationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ends = (ci, data["other"]) if data["direction"] == "out" else (data["other"], ci)
        with errors_into(form) as refusal:
            services.ci_relation_add(
                actor=request.user, source=ends[0], target=ends[1], kind=data["kind"]
            )
            return _ci_relations_answer(request, ci)
        if isinstance(refusal.error, PermissionRefused):
            # Not a matter of what was typed: the refusal slot says it (itsm.core.refusals).
            raise refusal.error
        return _ci_relations_answer(request, ci, form, status=refusal.status)
    return _ci_relations_answer(request, ci, form, status=400)


@desk_view
@require_POST
def ci_relation_remove(request, pk: int, relation_pk: int):
    ci = selectors.ci_get_for_browse(pk=pk)
    relation = selectors.ci_relation_get(ci=ci, pk=relation_pk)
    services.ci_relation_remove(actor=request.user, relation=relation)
    return _ci_relations_answer(request, ci)


def _ci_values(form: CiForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


@desk_view
def ci_create(request):
    if not request.user.has_perm("cmdb.add_configurationitem"):
        return render(
            request,
            "errors/403.html",
            {"reason": "You may not register configuration items."},
            status=403,
        )
    form = CiForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            ci = services.ci_create(actor=request.user, **_ci_values(form))
            messages.success(request, f"{ci.name} registered.")
            return redirect(ci.get_absolute_url())
    return render(request, "cmdb/ci_form.html", {"form": form}, status=400 if form.errors else 200)


@desk_view
def ci_edit(request, pk: int):
    ci = selectors.ci_get_for_browse(pk=pk)
    if not request.user.has_perm("cmdb.change_configurationitem"):
        return render(
            request,
            "errors/403.html",
            {"reason": "You may not edit configuration items."},
            status=403,
        )
    initial = {
        "version": ci.version,
        "name": ci.name,
        "ci_type": ci.ci_type,
        "status": ci.status,
        "service": ci.service,
        "owner": ci.owner.email if ci.owner else "",
        "description": ci.description,
    }
    form = CiForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        with errors_into(form) as refusal:
            ci = services.ci_update(
                ci=ci,
                actor=request.user,
                expected_version=form.cleaned_data.get("version"),
                **_ci_values(form),
            )
            messages.success(request, f"{ci.name} saved.")
            return redirect(ci.get_absolute_url())
        status = refusal.status
        if refusal.is_stale:
            # Keep what was typed, carry the current version: sending again is a choice.
            form.data = form.data.copy()
            form.data["version"] = str(refusal.error.current_version)
    elif form.errors:
        status = 400
    return render(request, "cmdb/ci_form.html", {"form": form, "ci": ci}, status=status)
