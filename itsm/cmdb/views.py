from django.core.paginator import Paginator
from django.shortcuts import render

from itsm.audit.selectors import audit_list_for_record
from itsm.cmdb import selectors
from itsm.cmdb.filtersets import ConfigurationItemFilterSet, ServiceFilterSet
from itsm.core.views import desk_view

PAGE_SIZE = 50


@desk_view
def service_list(request):
    filterset = ServiceFilterSet(request.GET, queryset=selectors.service_list_for_browse())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "cmdb/_service_table.html" if request.htmx else "cmdb/service_list.html"
    return render(request, template, {"filterset": filterset, "page": page})


@desk_view
def service_detail(request, pk: int):
    service = selectors.service_get_for_browse(pk=pk)
    return render(
        request,
        "cmdb/service_detail.html",
        {
            "service": service,
            "cis": selectors.ci_list_for_service(service=service),
            "timeline": audit_list_for_record(record=service),
        },
    )


@desk_view
def ci_list(request):
    filterset = ConfigurationItemFilterSet(request.GET, queryset=selectors.ci_list_for_browse())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "cmdb/_ci_table.html" if request.htmx else "cmdb/ci_list.html"
    return render(request, template, {"filterset": filterset, "page": page})


@desk_view
def ci_detail(request, pk: int):
    ci = selectors.ci_get_for_browse(pk=pk)
    return render(
        request,
        "cmdb/ci_detail.html",
        {"ci": ci, "timeline": audit_list_for_record(record=ci)},
    )
