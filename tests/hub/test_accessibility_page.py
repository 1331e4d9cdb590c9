"""The accessibility statement: what is tested, how, the known limits and whom to contact; linked from every page."""
import pytest

pytestmark = pytest.mark.django_db


def test_the_accessibility_statement_says_what_is_tested_how_the_limits_and_the_contact(client):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    body = response.content.decode()
    for heading in ("Accessibility statement", "What we test", "How we test", "Known limits", "Contact"):
        assert heading in body
    assert "WCAG) 2.2 at level AA" in body and "axe-core" in body
    assert "keyboard alone" in body
    assert 'href="/contact/"' in body


def test_every_page_links_to_the_accessibility_statement_from_its_footer(client):
    body = client.get("/").content.decode()
    footer = body[body.index("<footer"):]
    assert 'href="/accessibility/">Accessibility</a>' in footer
