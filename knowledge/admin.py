from django.contrib import admin

from knowledge.models import Article, ArticleFeedback, ArticleVersion, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ["number", "title", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-mostly: articles are written and published through the desk pages and the API."""

    list_display = ["number", "title", "status", "audience", "category", "owner", "review_by"]
    list_filter = ["status", "audience", "category"]
    search_fields = ["number", "title"]
    readonly_fields = ["number", "version", "status", "view_count", "published_at"]
    exclude = ["search"]
    autocomplete_fields = ["owner", "last_edited_by", "published_by", "services"]
    inlines = [ArticleVersionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "user", "is_helpful", "created_at"]
    list_filter = ["is_helpful"]
    raw_id_fields = ["article", "user"]
