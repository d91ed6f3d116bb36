"""URLs of the knowledge base (namespace `knowledge`): desk pages and the portal's."""

from django.urls import include, path

from knowledge.views import desk, portal

app_name = "knowledge"

desk_urls = [
    path("", desk.article_list, name="desk-article-list"),
    path("new/", desk.article_create, name="desk-article-create"),
    path("queue/", desk.editor_queue, name="desk-editor-queue"),
    path("<str:number>/", desk.article_detail, name="desk-article-detail"),
    path("<str:number>/edit/", desk.article_edit, name="desk-article-edit"),
    path("<str:number>/transition/", desk.article_transition, name="desk-article-transition"),
    path(
        "<str:number>/revision/discard/",
        desk.article_revision_discard,
        name="desk-article-revision-discard",
    ),
    path("<str:number>/diff/", desk.article_version_diff, name="desk-article-diff"),
    path(
        "<str:number>/versions/<int:version_number>/",
        desk.article_version_detail,
        name="desk-article-version",
    ),
    path(
        "<str:number>/versions/<int:version_number>/restore/",
        desk.article_restore,
        name="desk-article-restore",
    ),
]

portal_urls = [
    path("", portal.article_search, name="portal-article-search"),
    path("<str:number>/", portal.article_detail, name="portal-article-detail"),
]

urlpatterns = [
    path("desk/knowledge/", include(desk_urls)),
    path("portal/knowledge/", include(portal_urls)),
]
