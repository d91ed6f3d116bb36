import django_filters

from knowledge.choices import ArticleAudience, ArticleStatus
from knowledge.models import Article, Category
from knowledge.selectors import article_apply_search, category_with_descendants


class ArticleFilterSet(django_filters.FilterSet):
    """One filter set for the desk list and /api/v1/articles/ (STYLE §1)."""

    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), method="filter_category"
    )
    service = django_filters.NumberFilter(field_name="services", label="Service id")
    audience = django_filters.ChoiceFilter(choices=ArticleAudience.choices)
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices)
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    # Declared last on purpose: filters run in declaration order, and the search decides
    # whether to fall back to typo matching by looking at what the other filters left.
    search = django_filters.CharFilter(method="filter_search", label="Search")

    class Meta:
        model = Article
        fields = ["category", "service", "audience", "status", "tag", "search"]

    def filter_search(self, queryset, _name, value):
        return article_apply_search(queryset, value)

    def filter_category(self, queryset, _name, value):
        return queryset.filter(category_id__in=category_with_descendants(value.pk))

    def filter_tag(self, queryset, _name, value):
        return queryset.filter(tags__contains=[value.strip().lower()])
