from django.urls import include, path

from tickets.views import bulk, desk, editor, live, macros, portal, time, triage

app_name = "tickets"

desk_urls = [
    path("", desk.ticket_queue, name="desk-ticket-queue"),
    path("new/", desk.ticket_create, name="desk-ticket-create"),
    path("requester-lookup/", desk.requester_lookup, name="desk-requester-lookup"),
    path("bulk/", bulk.ticket_bulk, name="desk-ticket-bulk"),
    path("export/", bulk.ticket_export, name="desk-ticket-export"),
    path("filters/", desk.saved_filter_create, name="desk-saved-filter-create"),
    path("preferences/", desk.queue_preference_save, name="desk-queue-preference"),
    path("team-agents/", triage.team_agents, name="desk-team-agents"),
    path("live/queue/", live.queue_live, name="desk-queue-live"),
    path("macros/", macros.macro_list, name="desk-macro-list"),
    path("macros/new/", macros.macro_create, name="desk-macro-create"),
    path("macros/<int:pk>/", macros.macro_edit, name="desk-macro-edit"),
    path("macros/<int:pk>/delete/", macros.macro_delete, name="desk-macro-delete"),
    path("mentions/", macros.mention_suggestions_view, name="desk-mention-suggestions"),
    path("<str:number>/", desk.ticket_detail, name="desk-ticket-detail"),
    path("<str:number>/edit/<str:part>/", triage.ticket_edit, name="desk-ticket-edit"),
    path("<str:number>/live/", live.ticket_live, name="desk-ticket-live"),
    path("<str:number>/live/leave/", live.ticket_live_leave, name="desk-ticket-live-leave"),
    path("<str:number>/reply/", desk.ticket_reply, name="desk-ticket-reply"),
    path("<str:number>/macro/", macros.ticket_macro_apply, name="desk-ticket-macro"),
    path("<str:number>/sla/", desk.ticket_sla, name="desk-ticket-sla"),
    path("<str:number>/canned/", editor.ticket_canned_search, name="desk-ticket-canned"),
    path(
        "<str:number>/canned/<int:response_id>/",
        editor.ticket_canned_fill,
        name="desk-ticket-canned-fill",
    ),
    path("<str:number>/panels/", desk.ticket_panels, name="desk-ticket-panels"),
    path("<str:number>/articles/", desk.ticket_article_search, name="desk-ticket-articles"),
    path(
        "<str:number>/articles/suggested/",
        desk.ticket_suggested_articles,
        name="desk-ticket-suggested-articles",
    ),
    path("<str:number>/similar/", desk.ticket_similar, name="desk-ticket-similar"),
    path("<str:number>/duplicate-of/", desk.ticket_duplicate_of, name="desk-ticket-duplicate-of"),
    path("<str:number>/articles/link/", desk.ticket_article_link, name="desk-ticket-article-link"),
    path(
        "<str:number>/articles/draft/", desk.ticket_article_draft, name="desk-ticket-article-draft"
    ),
    path("<str:number>/transition/", desk.ticket_transition, name="desk-ticket-transition"),
    path("<str:number>/assign/", desk.ticket_assign, name="desk-ticket-assign"),
    path("<str:number>/priority/", desk.ticket_priority, name="desk-ticket-priority"),
    path("<str:number>/link/", desk.ticket_link, name="desk-ticket-link"),
    path("<str:number>/watch/", desk.ticket_watch, name="desk-ticket-watch"),
    path("<str:number>/time/", time.ticket_time_log, name="desk-ticket-time-log"),
    path(
        "<str:number>/time/<int:entry_id>/",
        time.ticket_time_correct,
        name="desk-ticket-time-correct",
    ),
    path(
        "<str:number>/time/<int:entry_id>/delete/",
        time.ticket_time_delete,
        name="desk-ticket-time-delete",
    ),
]

portal_urls = [
    path("", portal.my_tickets, name="portal-my-tickets"),
    path("report/", portal.report_incident, name="portal-report-incident"),
    path("<str:number>/", portal.ticket_detail, name="portal-ticket-detail"),
    path("<str:number>/reply/", portal.ticket_reply, name="portal-ticket-reply"),
    path("<str:number>/withdraw/", portal.ticket_withdraw, name="portal-ticket-withdraw"),
    path("<str:number>/reopen/", portal.ticket_reopen, name="portal-ticket-reopen"),
    path("<str:number>/accept/", portal.ticket_accept, name="portal-ticket-accept"),
    path("<str:number>/survey/", portal.ticket_survey, name="portal-ticket-survey"),
]

urlpatterns = [
    path("desk/tickets/", include(desk_urls)),
    path("portal/tickets/", include(portal_urls)),
    path(
        "attachments/<int:attachment_id>/", portal.attachment_download, name="attachment-download"
    ),
    path(
        "attachments/images/<str:number>/", editor.ticket_image_upload, name="ticket-image-upload"
    ),
]
