from django.urls import path

from tickets.mail import views, webhooks

app_name = "mail"

urlpatterns = [
    path("desk/mailboxes/", views.mailbox_list, name="desk-mailbox-list"),
    path("desk/mailboxes/new/", views.mailbox_create, name="desk-mailbox-create"),
    path("desk/mailboxes/<int:pk>/", views.mailbox_detail, name="desk-mailbox-detail"),
    path("desk/mailboxes/<int:pk>/edit/", views.mailbox_edit, name="desk-mailbox-edit"),
    path("mail/inbound/<str:provider>/", webhooks.inbound_webhook, name="inbound-webhook"),
]
