"""Journeys through search: a visitor finds a comment by a word of its attached PDF and opens it; filters narrow
the results; the page passes axe."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_site import serious_violations
from tests.factories import make_attachment, make_comment, make_discussion, make_question, minimal_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_finds_a_comment_through_the_search_box_and_opens_it(page):
    # Outside a test transaction every save commits, so the index is written as it would be on the site.
    discussion = make_discussion(title="Draft Network Workplan 2022-2024")
    question = make_question(discussion=discussion, text="Which priority areas interest you?")
    comment = make_comment(question=question, body="<p>Our full comments are attached.</p>",
                           body_text="Our full comments are attached.")
    make_attachment(comment=comment, name="Full comments.pdf",
                    data=minimal_pdf("Seasonal agricultural workers need portable social protection"))
    make_comment(question=question, status="pending", body_text="Agricultural work, pending review.")

    page.goto("/")
    search = page.get_by_role("search", name="Site search")
    search.get_by_label("Search").fill("agricultural")
    search.get_by_label("Search").press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=agricultural$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_role("status")).to_have_text(re.compile("1 result for “agricultural”"))
    hit = page.locator(".search-hit")
    expect(hit).to_have_count(1)
    expect(hit.locator(".search-kind")).to_have_text("Comments")
    expect(hit).to_contain_text("In an attached document:")
    expect(hit.locator("mark")).to_have_text("agricultural")
    expect(hit.get_by_role("link", name="Draft Network Workplan 2022-2024")).to_be_visible()
    # The navigation box keeps what was typed.
    expect(page.get_by_role("search", name="Site search").get_by_label("Search")).to_have_value("agricultural")
    assert serious_violations(page) == []

    hit.get_by_role("link", name=comment.author_name).click()
    expect(page).to_have_url(re.compile(rf"/discussions/{discussion.slug}/#comment-{comment.pk}$"))
    expect(page.locator(f"#comment-{comment.pk}")).to_be_visible()
    expect(page.locator(f"#comment-{comment.pk}").get_by_role("link", name=re.compile("Full comments.pdf"))) \
        .to_be_visible()


def test_filters_narrow_the_results_and_an_empty_search_explains_itself(page):
    first = make_discussion(title="First consultation on remittances")
    second = make_discussion(title="Second consultation")
    make_comment(discussion=first, body_text="Remittances need cheaper transfers.")
    make_comment(discussion=second, body_text="Remittances support families.")

    page.goto("/search/")
    expect(page.get_by_text("Type one or more words to search for.")).to_be_visible()
    assert serious_violations(page) == []

    form = page.get_by_role("search", name="Search the site")
    form.get_by_label("Search for").fill("remittances")
    form.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("3 results for “remittances”"))

    form = page.get_by_role("search", name="Search the site")
    form.get_by_label("Show").select_option(label="Comments")
    form.get_by_label("Discussion").select_option(label="Second consultation")
    form.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("1 result for “remittances”"))
    expect(page.locator(".search-hit")).to_contain_text("Remittances support families")
    # The form shows the filters it applied.
    expect(page.get_by_role("search", name="Search the site").get_by_label("Discussion")) \
        .to_have_value(str(second.pk))
    assert serious_violations(page) == []
