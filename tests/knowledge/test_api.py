import pytest

from knowledge import services
from knowledge.models import ArticleFeedback
from tests.factories.cmdb import ServiceFactory
from tests.factories.knowledge import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/articles/"


def test_an_editor_creates_a_draft_and_reads_it_back_by_number(api_as, knowledge_editor):
    category = CategoryFactory(name="Network")
    vpn = ServiceFactory(name="VPN")
    response = api_as(knowledge_editor).post(
        URL,
        {
            "title": "VPN on Linux",
            "body": "Install `openconnect`.",
            "category": category.pk,
            "services": [vpn.pk],
            "tags": ["VPN", "linux "],
            "audience": "internal",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("KB") and body["status"] == "draft"
    assert body["version"] == 1 and body["tags"] == ["linux", "vpn"]
    assert "<code>openconnect</code>" in body["body_html"]
    detail = api_as(knowledge_editor).get(f"{URL}{body['number']}/")
    assert detail.status_code == 200 and detail.json()["services"] == [vpn.pk]


def test_bad_input_gets_400_with_field_errors(api_as, knowledge_editor):
    response = api_as(knowledge_editor).post(
        URL, {"title": "", "audience": "everyone"}, format="json"
    )
    assert response.status_code == 400
    assert {"title", "body", "audience"} <= set(response.json())


def test_an_update_without_a_version_gets_400(api_as, knowledge_editor, draft):
    response = api_as(knowledge_editor).patch(
        f"{URL}{draft.number}/", {"title": "New"}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_an_update_with_a_stale_version_gets_409(api_as, knowledge_editor, draft):
    client = api_as(knowledge_editor)
    ok = client.patch(f"{URL}{draft.number}/", {"title": "One", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(f"{URL}{draft.number}/", {"title": "Two", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": stale.json()["detail"],
        "code": "stale_version",
        "current_version": 2,
    }


def test_an_unknown_number_gets_404(api_as, knowledge_editor):
    response = api_as(knowledge_editor).get(f"{URL}KB9999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_transitions_go_through_the_workflow(api_as, knowledge_editor, reviewer, draft):
    url = f"{URL}{draft.number}/transition/"
    submitted = api_as(knowledge_editor).post(
        url, {"to_status": "review", "version": 1}, format="json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "review"
    own = api_as(knowledge_editor).post(
        url, {"to_status": "published", "version": 2}, format="json"
    )
    assert own.status_code == 400 and own.json()["code"] == "guard_failed"
    published = api_as(reviewer).post(url, {"to_status": "published", "version": 2}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    stale = api_as(reviewer).post(url, {"to_status": "retired", "version": 2}, format="json")
    assert stale.status_code == 409
    refused = api_as(reviewer).post(url, {"to_status": "review", "version": 3}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "transition_not_allowed"
    bogus = api_as(reviewer).post(url, {"to_status": "bogus"}, format="json")
    assert bogus.status_code == 400 and {"to_status", "version"} <= set(bogus.json())


def test_an_agent_cannot_publish(api_as, agent, knowledge_editor, draft):
    services.article_transition(
        article=draft, actor=knowledge_editor, to_status="review", expected_version=1
    )
    response = api_as(agent).post(
        f"{URL}{draft.number}/transition/", {"to_status": "published", "version": 2}, format="json"
    )
    assert response.status_code == 403


def test_a_requester_cannot_write_articles(api_as, requester):
    response = api_as(requester).post(URL, {"title": "x", "body": "y"}, format="json")
    assert response.status_code == 403


def test_a_requester_sees_only_published_public_articles(api_as, requester):
    public = ArticleFactory(title="Public one")
    internal = ArticleFactory(title="Internal one", audience="internal")
    draft = ArticleFactory(title="Draft one", status="draft")
    client = api_as(requester)
    listed = [a["number"] for a in client.get(URL).json()["results"]]
    assert listed == [public.number]
    assert client.get(f"{URL}{internal.number}/").status_code == 404
    assert client.get(f"{URL}{draft.number}/").status_code == 404
    assert client.get(URL, {"search": "internal"}).json()["results"] == []
    assert client.get(URL, {"audience": "internal"}).json()["results"] == []


def test_the_search_parameter_ranks_results(api_as, agent):
    ArticleFactory(title="Docking guide", body="Mentions printer.")
    ArticleFactory(title="Printer guide", body="Nothing.")
    results = api_as(agent).get(URL, {"search": "printer"}).json()["results"]
    assert [a["title"] for a in results] == ["Printer guide", "Docking guide"]


def test_filters_by_status_audience_and_service(api_as, agent):
    vpn = ServiceFactory(name="VPN")
    with_service = ArticleFactory(title="A", services=[vpn])
    internal = ArticleFactory(title="B", audience="internal")
    draft = ArticleFactory(title="C", status="draft")
    client = api_as(agent)

    def numbers(**params):
        return {a["number"] for a in client.get(URL, params).json()["results"]}

    assert numbers(service=vpn.pk) == {with_service.number}
    assert numbers(audience="internal") == {internal.number}
    assert numbers(status="draft") == {draft.number}


def test_feedback_is_recorded_once_per_user_and_changeable(api_as, requester):
    article = ArticleFactory()
    url = f"{URL}{article.number}/feedback/"
    assert api_as(requester).post(url, {"is_helpful": False}, format="json").status_code == 200
    again = api_as(requester).post(url, {"is_helpful": True, "comment": "ok"}, format="json")
    assert again.json() == {"is_helpful": True, "comment": "ok"}
    assert ArticleFeedback.objects.filter(article=article).count() == 1
    detail = api_as(requester).get(f"{URL}{article.number}/").json()
    assert (detail["helpful_count"], detail["unhelpful_count"]) == (1, 0)


def test_feedback_on_an_internal_article_is_404_for_a_requester(api_as, requester):
    article = ArticleFactory(audience="internal")
    response = api_as(requester).post(
        f"{URL}{article.number}/feedback/", {"is_helpful": True}, format="json"
    )
    assert response.status_code == 404


def test_restore_brings_back_an_old_version_as_a_draft(api_as, knowledge_editor, draft, publish):
    article = publish(draft)
    response = api_as(knowledge_editor).post(
        f"{URL}{article.number}/restore/",
        {"version_number": 1, "version": article.version},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published" and body["body"] == draft.body
    assert body["revision"]["status"] == "draft" and body["revision"]["body"] == draft.body
    missing = api_as(knowledge_editor).post(
        f"{URL}{article.number}/restore/",
        {"version_number": 9, "version": response.json()["version"]},
        format="json",
    )
    assert missing.status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_endpoint_query_count_does_not_grow(
    api_as, agent, django_assert_max_num_queries, size
):
    vpn = ServiceFactory(name="VPN")
    for _ in range(size):
        ArticleFactory(services=[vpn], category=CategoryFactory(name="Network"))
    client = api_as(agent)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert len(response.json()["results"]) == size


def test_articles_are_in_the_openapi_schema(api_as, agent):
    schema = api_as(agent).get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/articles/" in paths
    assert "/api/v1/articles/{number}/transition/" in paths
    assert "/api/v1/articles/{number}/feedback/" in paths
    params = {p["name"] for p in paths["/api/v1/articles/"]["get"]["parameters"]}
    assert {"search", "category", "service", "audience", "status"} <= params


def test_requesters_never_see_an_open_revision(api_as, knowledge_editor, requester, draft, publish):
    article = publish(draft)
    article = services.article_transition(
        article=article, actor=knowledge_editor, to_status="draft", expected_version=article.version
    )
    services.article_update(
        article=article, actor=knowledge_editor, expected_version=article.version, body="Secret"
    )
    staff = api_as(knowledge_editor).get(f"{URL}{article.number}/").json()
    assert staff["revision"]["body"] == "Secret"
    public = api_as(requester).get(f"{URL}{article.number}/").json()
    assert "revision" not in public and public["body"] == draft.body
