"""The site's error pages: status, message, the site's layout, a way back, the page's language; 500 and 503
without the database."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import translation

from hub import errors
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.hub.error_urls"
    settings.DEBUG = False


@pytest.fixture
def quiet_client():
    """A client that gets the error page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


def assert_site_layout(html: str) -> None:
    assert '<header class="site-header' in html
    assert '<footer class="site-footer' in html
    assert 'href="/"' in html  # the site's name leads home
    assert "Go to the home page" in html


def test_an_unknown_address_answers_404_in_the_site_layout_with_the_menu(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert_site_layout(html)
    assert 'id="site-search-q"' in html  # the full layout, search included


def test_the_404_page_offers_the_way_back_to_a_page_of_this_site_only(client):
    back = client.get("/no-such-page/", HTTP_REFERER="http://testserver/discussions/").content.decode()
    assert 'href="http://testserver/discussions/"' in back and "Back to the previous page" in back
    foreign = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in foreign and "Back to the previous page" not in foreign


def test_the_404_page_is_translated(client):
    response = client.get("/fr/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="fr"' in response.content.decode()
    with translation.override("fr"):
        expected = translation.gettext("Page not found")
    assert f"<h1>{expected}</h1>" in response.content.decode()


def test_a_refusal_answers_403_with_its_reason_in_the_layout(failing_site, client):
    client.force_login(make_user())
    response = client.get("/test/refused/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You cannot do this</h1>" in html and "Only moderators may do this." in html
    assert_site_layout(html)


def test_the_403_page_invites_a_visitor_to_sign_in(failing_site, client):
    html = client.get("/test/refused/").content.decode()
    assert "Sign in" in html and "/accounts/login/?next=/test/refused/" in html


def test_a_suspicious_request_answers_400_in_the_lean_layout(failing_site, client):
    response = client.get("/test/suspicious/")
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()
    assert_site_layout(response.content.decode())


def test_a_host_not_allowed_answers_400_without_a_back_link(client):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_REFERER="http://evil.example/")
    assert response.status_code == 400
    assert "Back to the previous page" not in response.content.decode()


def test_a_form_without_its_csrf_token_answers_the_csrf_page(settings):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/contact/", {"name": "A", "email": "a@example.org", "subject": "s", "message": "m"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Your form could not be sent</h1>" in html and "reload the page" in html
    assert_site_layout(html)


def test_a_bug_answers_500_in_the_lean_layout_with_a_reference(failing_site, quiet_client):
    response = quiet_client.get("/test/bug/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in html
    assert_site_layout(html)
    assert response["X-Request-ID"] in html  # the reference an operator greps the logs for


def test_the_database_being_down_answers_503_with_retry_after(failing_site, quiet_client):
    response = quiet_client.get("/test/db-down/")
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "<h1>The site is briefly unavailable</h1>" in html and "send it again" in html
    assert_site_layout(html)


def test_a_session_lost_because_the_database_went_down_answers_503_not_400(failing_site, quiet_client):
    response = quiet_client.get("/test/session-lost/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()


def test_the_503_page_is_translated(failing_site, quiet_client):
    response = quiet_client.get("/es/test/db-down/")
    assert '<html lang="es"' in response.content.decode()
    with translation.override("es"):
        expected = translation.gettext("The site is briefly unavailable")
    assert f"<h1>{expected}</h1>" in response.content.decode()


def test_the_500_and_503_pages_render_without_any_query(django_assert_num_queries):
    from django.test import RequestFactory

    from hub import errors

    request = RequestFactory().get("/anything/")
    request.user = make_user()
    with django_assert_num_queries(0):
        assert errors.service_unavailable(request).status_code == 503
        assert errors.server_error(request).status_code == 500


def test_a_page_whose_database_is_down_still_answers_503_for_a_signed_in_person(failing_site, quiet_client,
                                                                                 monkeypatch):
    """The database fails for everything (the session and user included): the page still answers, from no query."""
    quiet_client.force_login(make_user())

    def refuse(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        response = quiet_client.get("/discussions/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()


@pytest.mark.parametrize("prefix, lang, direction", [("", "en", "ltr"), ("/fr", "fr", "ltr"), ("/ar", "ar", "rtl")])
def test_a_missing_page_answers_with_our_404_in_the_addresss_language(client, prefix, lang, direction):
    response = client.get(f"{prefix}/discussions/no-such-discussion/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert 'class="language-switcher"' in html
    if lang == "en":
        assert "Page not found" in html


def test_the_server_error_page_needs_no_request_and_follows_the_language():
    with translation.override("ar"):
        response = errors.server_error(RequestFactory().get("/ar/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="ar" dir="rtl">' in html and "bootstrap.rtl.min.css" in html
