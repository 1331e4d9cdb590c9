"""The error pages are the site's own, in the page's language, with the same layout."""
import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


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
        response = server_error(RequestFactory().get("/ar/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="ar" dir="rtl">' in html and "bootstrap.rtl.min.css" in html
