from django.urls import path

from knowledge.views import portal

app_name = "knowledge-portal"

urlpatterns = [
    path("", portal.article_search, name="article-search"),
    path("<str:number>/", portal.article_detail, name="article-detail"),
]
