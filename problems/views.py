from itsm.core.pages import record_list_page
from itsm.core.views import desk_view
from problems.models import Problem


@desk_view
def problem_list(request):
    return record_list_page(
        request,
        queryset=Problem.objects.select_related("service", "owner"),
        title="Problems",
        columns=[
            ("Number", "number"),
            ("Title", "title"),
            ("Status", "get_status_display"),
            ("Service", "service"),
            ("Owner", "owner"),
        ],
        empty_text="No problems yet. Problems are raised from recurring incidents.",
    )
