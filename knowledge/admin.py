from django.contrib import admin

from knowledge.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "service", "owner", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "title"]
    readonly_fields = ["number", "version"]
