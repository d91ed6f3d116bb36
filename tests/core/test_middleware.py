import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/portal/search/?q=%00",
        "/portal/catalog/?q=a%00b",
        "/api/v1/incidents/?q=%00",
        "/desk/tickets/?q=%00",
    ],
)
def test_nul_in_a_query_string_is_a_plain_400_not_a_500(client_as, agent, url):
    response = client_as(agent).get(url)
    assert response.status_code == 400
    assert "not allowed (NUL)" in response.content.decode()


@pytest.mark.django_db
def test_ordinary_query_strings_pass(client_as, agent):
    assert client_as(agent).get("/portal/search/", {"q": "vpn"}).status_code == 200
