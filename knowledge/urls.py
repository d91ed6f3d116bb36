from django.urls import path

from knowledge.views import desk

app_name = "knowledge"

urlpatterns = [
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
