import io

import pytest

from itsm.accounts import demo as accounts_demo
from knowledge import demo
from knowledge.models import Article, ArticleVersion

pytestmark = pytest.mark.django_db


def test_the_demo_knowledge_base_is_published_and_idempotent():
    accounts_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    assert Article.objects.count() == len(demo.DEMO_ARTICLES) >= 15
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}
    assert Article.objects.filter(audience="internal").count() == 2
    assert ArticleVersion.objects.count() == len(demo.DEMO_ARTICLES)
    vpn = Article.objects.get(title="Connect to the VPN from home")
    assert vpn.category.parent.name == "Network"
    assert [s.name for s in vpn.services.all()] in ([], ["VPN"])
