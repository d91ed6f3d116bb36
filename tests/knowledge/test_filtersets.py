import pytest

from knowledge.filtersets import ArticleFilterSet
from knowledge.models import Article
from tests.factories.cmdb import ServiceFactory
from tests.factories.knowledge import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def titles(**params):
    return sorted(a.title for a in ArticleFilterSet(params, queryset=Article.objects.all()).qs)


def test_category_includes_its_subcategories():
    network = CategoryFactory(name="Network")
    ArticleFactory(title="In VPN", category=CategoryFactory(name="VPN", parent=network))
    ArticleFactory(title="In Network", category=network)
    ArticleFactory(title="Elsewhere", category=CategoryFactory(name="Email"))
    assert titles(category=network.pk) == ["In Network", "In VPN"]


def test_service_status_audience_and_tag_filters():
    vpn = ServiceFactory(name="VPN")
    ArticleFactory(title="Tagged", tags=["vpn", "remote"], services=[vpn])
    ArticleFactory(title="Draft", status="draft")
    ArticleFactory(title="Internal", audience="internal")
    assert titles(service=vpn.pk) == ["Tagged"]
    assert titles(tag="VPN") == ["Tagged"]
    assert titles(status="draft") == ["Draft"]
    assert titles(audience="internal") == ["Internal"]


def test_search_runs_after_the_other_filters_so_the_typo_fallback_sees_them():
    ArticleFactory(title="Printer setup", audience="internal")
    ArticleFactory(title="Printer setup for guests")
    assert titles(search="printr", audience="internal") == ["Printer setup"]


def test_an_unknown_choice_is_a_form_error_not_a_crash():
    filterset = ArticleFilterSet({"status": "nope"}, queryset=Article.objects.all())
    assert not filterset.is_valid()
    assert "status" in filterset.errors
