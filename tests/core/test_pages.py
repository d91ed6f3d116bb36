import pytest


@pytest.mark.django_db
def test_unknown_page_renders_the_friendly_404(client_as, agent, settings):
    settings.DEBUG = False
    response = client_as(agent).get("/desk/nowhere/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_api_schema_and_docs_are_served_without_a_cdn(client_as, agent):
    client = client_as(agent)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/services/" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/desk/",
        "/desk/problems/",
        "/desk/changes/",
        "/desk/releases/",
        "/desk/knowledge/",
        "/desk/cmdb/cis/",
        "/dashboards/",
        "/desk/tickets/",
    ],
)
def test_every_desk_section_renders_for_an_agent(client_as, agent, url):
    # The queue's bare address goes to the agent's last view (first time: My work).
    response = client_as(agent).get(url, follow=True)
    assert response.status_code == 200
    assert 'aria-label="Workspace"' in response.content.decode()


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    from django.core.management import call_command

    from itsm.accounts.models import User
    from itsm.cmdb.models import Service

    call_command("seed_demo")
    counts = (User.objects.count(), Service.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Service.objects.count()) == counts
    assert "demo-pass-2026" in capsys.readouterr().out
