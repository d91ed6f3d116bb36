from itsm.core.pages import record_list_page
from itsm.core.views import desk_view
from knowledge.models import Article


@desk_view
def article_list(request):
    return record_list_page(
        request,
        queryset=Article.objects.select_related("service", "owner"),
        title="Knowledge",
        columns=[
            ("Number", "number"),
            ("Title", "title"),
            ("Status", "get_status_display"),
            ("Service", "service"),
            ("Owner", "owner"),
        ],
        empty_text="No articles yet.",
    )
