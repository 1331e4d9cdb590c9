"""The 404 page in a real browser: the site's layout, a way home, and back to where the person was."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_site import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_mistyped_address_shows_the_404_page_with_a_way_back(page):
    page.goto("/about/")
    page.evaluate("window.location.href = '/discussions/no-such-consultation/'")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("search", name="Site search")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Back to the previous page").click()
    expect(page).to_have_url(re.compile(r"/about/$"))
    page.goto("/discussions/no-such-consultation/")
    page.get_by_role("link", name="Go to the home page").click()
    expect(page).to_have_url(re.compile(r"/$"))
