from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from itsm.accounts.views import home
from itsm.core.views import api_docs, favicon, healthz, markdown_preview
from itsm.dashboards.home import desk_home

api_v1 = [
    path("", include("itsm.cmdb.api.urls")),
    path("", include("itsm.accounts.api.urls")),
    path("", include("knowledge.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("tickets.catalog.api.urls")),
    path("", include("changes.api.urls")),
    path("", include("releases.api.urls")),
    path("", include("tickets.major.api.urls")),
    path("", include("problems.api.urls")),
    path("", include("itsm.dashboards.api.urls")),
    path("", include("itsm.apitokens.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("markdown/preview/", markdown_preview, name="markdown-preview"),
    path("accounts/", include("itsm.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("desk/", desk_home, name="desk-home"),
    path("desk/cmdb/", include("itsm.cmdb.urls")),
    path("", include("tickets.urls")),
    path("", include("tickets.catalog.urls")),
    path("", include("tickets.major.urls")),
    path("", include("tickets.mail.urls")),
    path("desk/canned-responses/", include("tickets.canned.urls")),
    path("desk/problems/", include("problems.urls")),
    path("desk/changes/", include("changes.urls")),
    path("desk/releases/", include("releases.urls")),
    path("", include("knowledge.urls")),
    path("dashboards/", include("itsm.dashboards.urls")),
    path("desk/privacy/", include("itsm.privacy.urls")),
    path("portal/", include("itsm.portal.urls")),
    path("notifications/", include("itsm.notifications.urls")),
    path("api-tokens/", include("itsm.apitokens.urls")),
]

handler400 = "itsm.core.views.error_400"
handler403 = "itsm.core.views.error_403"
handler404 = "itsm.core.views.error_404"
handler500 = "itsm.core.views.error_500"
