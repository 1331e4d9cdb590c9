"""The site's layout, shared by every page."""
import pytest

pytestmark = pytest.mark.django_db


def test_every_page_names_the_sites_favicon_and_the_file_exists(client):
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/hub/favicon.svg" type="image/svg+xml">' in html
    path = finders.find("hub/favicon.svg")
    assert path and open(path).read().startswith("<svg")
