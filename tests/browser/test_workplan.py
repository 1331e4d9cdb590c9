"""A stakeholder asks to join a working group; the secretariat accepts; the stakeholder sees it and the group
lists the organisation."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from hub.roles import SECRETARIAT
from tests.browser.conftest import login
from tests.factories import PASSWORD, make_organisation, make_priority, make_user, make_working_group, make_workplan

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stakeholder_expresses_interest_and_the_secretariat_accepts(page):
    workplan = make_workplan(title="Network Workplan 2022-2024", summary="<p>Our plan.</p>")
    priority = make_priority(workplan=workplan, kind="ongoing", number=3, title="Alternatives to immigration detention")
    group = make_working_group(workplan=workplan, name="Working group on alternatives to detention",
                               priorities=[priority], co_leads=[make_organisation(name="Lead Organisation")])
    make_user(email="amina@example.org", name="Amina Odhiambo", organisation=make_organisation(name="Migrant Forum"))
    make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT)

    # The stakeholder finds the group from the overview and asks to join.
    login(page, "amina@example.org", PASSWORD)
    page.goto(workplan.get_absolute_url())
    expect(page.get_by_role("heading", name="Network Workplan 2022-2024")).to_be_visible()
    page.get_by_role("link", name="Working group on alternatives to detention").first.click()
    expect(page.get_by_role("heading", name="Working group on alternatives to detention")).to_be_visible()
    page.get_by_label("Observer").check()
    page.get_by_label("Message to the secretariat").fill("")
    page.get_by_role("button", name="Send expression of interest").click()
    expect(page.get_by_text("Tell the secretariat in a few words")).to_be_visible()
    page.get_by_label("Member", exact=True).check()
    page.get_by_label("Message to the secretariat").fill("We run two shelters and would like to share practice.")
    page.get_by_role("button", name="Send expression of interest").click()
    expect(page.get_by_text("The secretariat will review")).to_be_visible()
    expect(page.locator("#interest .interest-status")).to_have_text("Pending")

    # The secretariat accepts it in the queue, with a reply.
    page.context.clear_cookies()
    login(page, "jonas@example.org", PASSWORD)
    page.goto("/workplan/interest/")
    item = page.locator(".queue-item", has_text="Migrant Forum")
    expect(item).to_contain_text("We run two shelters")
    item.get_by_label(re.compile("Reply to the organisation")).fill("Welcome to the group.")
    item.get_by_role("button", name="Accept").click()
    expect(page.get_by_text(re.compile("Migrant Forum.*accepted"))).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for a decision.")).to_be_visible()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amina@example.org"]

    # The stakeholder sees the decision, and the group now lists the organisation among its members.
    page.context.clear_cookies()
    login(page, "amina@example.org", PASSWORD)
    page.goto(group.get_absolute_url())
    expect(page.locator("#interest .interest-status")).to_have_text("Accepted")
    expect(page.get_by_text("Welcome to the group.")).to_be_visible()
    expect(page.locator(".member-list")).to_contain_text("Migrant Forum")
    # The decision is on the stakeholder's profile too, reached from the header's menu.
    page.locator("#user-menu").click()
    page.get_by_role("link", name="My profile").click()
    decision = page.locator(".my-interest .interest-expression")
    expect(decision).to_contain_text("Working group on alternatives to detention")
    expect(decision.locator(".interest-status")).to_have_text("Accepted")
    expect(decision).to_contain_text("Welcome to the group.")


def test_the_priority_page_and_the_group_page_read_well_without_logging_in(page):
    workplan = make_workplan(title="Network Workplan 2022-2024")
    priority = make_priority(workplan=workplan, kind="new", number=5, title="Socio-economic integration")
    make_working_group(workplan=workplan, name="Integration workstream", priorities=[priority])
    page.goto("/workplan/")
    page.get_by_role("link", name="Network Workplan 2022-2024").click()
    page.get_by_role("link", name="Socio-economic integration").click()
    expect(page.get_by_role("heading", name="Socio-economic integration")).to_be_visible()
    expect(page.get_by_text("New Priority 5 (NP5)")).to_be_visible()
    page.get_by_role("link", name="Integration workstream").click()
    expect(page.locator("#interest").get_by_role("link", name="Sign in", exact=True)).to_be_visible()
