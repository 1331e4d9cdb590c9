"""Membership of an organisation in a real browser: a stakeholder names their organisation, waits, the secretariat
confirms from its queue, and the stakeholder sees the membership confirmed."""
import re

from playwright.sync_api import expect

from hub.models import Membership, Profile
from hub.roles import SECRETARIAT
from tests.browser.conftest import login
from tests.browser.test_site import serious_violations
from tests.factories import PASSWORD, make_organisation, make_user


def log_out(page, name: str) -> None:
    header = page.locator("header")
    header.get_by_role("button", name=name).click()
    header.get_by_role("button", name="Sign out").click()
    expect(header.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def test_a_stakeholder_asks_the_secretariat_confirms_and_the_stakeholder_sees_it(page, mailoutbox):
    make_organisation(name="Migrant Workers Solidarity Forum", acronym="MWSF", verified=True)
    stakeholder = make_user(complete=False, email="amina@example.org")
    secretariat = make_user(name="Jonas Lindqvist", role=SECRETARIAT, email="jonas@example.org")

    login(page, stakeholder.email, PASSWORD)
    page.goto("/profile/")
    page.get_by_label("Full name").fill("Amina Odhiambo-Wanjiru")
    page.get_by_label("Organisation", exact=False).first.select_option(label="Migrant Workers Solidarity Forum (MWSF)")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    status = page.locator(".membership-status")
    expect(status).to_contain_text("Awaiting confirmation")
    expect(status).to_have_attribute("data-membership", "requested")
    # The secretariat was told (after commit: the live server's requests commit for real).
    assert [m.to for m in mailoutbox] == [[secretariat.email]]
    log_out(page, "Amina Odhiambo-Wanjiru")

    login(page, secretariat.email, PASSWORD)
    page.locator("header").get_by_role("button", name="Jonas Lindqvist").click()
    page.get_by_role("link", name="Membership requests").click()
    expect(page).to_have_url(re.compile(r"/memberships/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Membership requests")
    assert serious_violations(page) == []
    item = page.locator(".membership-item", has_text="Amina Odhiambo-Wanjiru")
    expect(item).to_contain_text("Migrant Workers Solidarity Forum")
    expect(item).to_contain_text("amina@example.org")
    item.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Amina Odhiambo-Wanjiru is confirmed as a member of Migrant Workers Solidarity Forum."
                            )).to_be_visible()
    expect(page.get_by_text("No membership request is waiting.")).to_be_visible()
    assert Profile.objects.get(user=stakeholder).membership == Membership.CONFIRMED
    log_out(page, "Jonas Lindqvist")

    login(page, stakeholder.email, PASSWORD)
    page.goto("/profile/")
    expect(page.locator(".membership-status")).to_contain_text(
        "Confirmed: you are a member of Migrant Workers Solidarity Forum.")
    assert mailoutbox[-1].to == [stakeholder.email]


def test_refusing_without_a_reason_is_explained_and_a_typed_reason_is_sent(page):
    organisation = make_organisation(name="Global Union of Care Workers")
    requester = make_user(name="Mallory Smith", organisation=organisation, membership=Membership.REQUESTED)
    secretariat = make_user(name="Jonas Lindqvist", role=SECRETARIAT)
    login(page, secretariat.email, PASSWORD)
    page.goto("/memberships/")
    item = page.locator(".membership-item", has_text="Mallory Smith")
    item.get_by_role("button", name="Refuse").click()
    expect(page.get_by_text("Say why, so the person knows what to do.")).to_be_visible()
    assert serious_violations(page) == []
    item = page.locator(".membership-item", has_text="Mallory Smith")
    item.get_by_label("Reason for refusing (sent to the person)").fill("Not on the union's staff list.")
    item.get_by_role("button", name="Refuse").click()
    expect(page.get_by_text("The membership of Mallory Smith in Global Union of Care Workers is refused.")).to_be_visible()
    profile = Profile.objects.get(user=requester)
    assert profile.membership == Membership.REFUSED and profile.membership_reason == "Not on the union's staff list."
