from itsm.core.pages import record_list_page
from itsm.core.views import desk_view
from releases.models import Release


@desk_view
def release_list(request):
    return record_list_page(
        request,
        queryset=Release.objects.select_related("service", "owner"),
        title="Releases",
        columns=[
            ("Number", "number"),
            ("Title", "title"),
            ("Status", "get_status_display"),
            ("Service", "service"),
            ("Owner", "owner"),
        ],
        empty_text="No releases planned yet.",
    )
