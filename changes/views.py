from changes.models import ChangeRequest
from itsm.core.pages import record_list_page
from itsm.core.views import desk_view


@desk_view
def changerequest_list(request):
    return record_list_page(
        request,
        queryset=ChangeRequest.objects.select_related("service", "owner"),
        title="Changes",
        columns=[
            ("Number", "number"),
            ("Title", "title"),
            ("Status", "get_status_display"),
            ("Service", "service"),
            ("Owner", "owner"),
        ],
        empty_text="No changes yet. Requests for change will be listed here.",
    )
