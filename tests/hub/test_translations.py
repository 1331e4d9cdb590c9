"""The site's own navigation is translated into French and Spanish, not only Django's and allauth's strings."""
import pytest


@pytest.mark.parametrize("language, skip_link, nav", [
    ("fr", "Aller au contenu principal", "Plan de travail"),
    ("es", "Ir al contenido principal", "Plan de trabajo"),
])
def test_the_home_page_is_served_in_the_chosen_language(client, db, language, skip_link, nav):
    response = client.get(f"/{language}/")
    html = response.content.decode()
    assert f'<html lang="{language}" dir="ltr">' in html
    assert skip_link in html
    assert nav in html
    assert "Skip to main content" not in html


def test_english_stays_the_default(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html and "Skip to main content" in html
