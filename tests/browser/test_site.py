"""Site-wide journeys in a real browser: contact form, accessibility, small screens, language switcher."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hub.models import ContactMessage
from tests.browser.conftest import login
from tests.factories import PASSWORD, make_user

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def test_contact_form_journey(page, mailoutbox, settings):
    settings.HUB_CONTACT_EMAIL = "contact@hub.example.org"
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact the secretariat")
    # The honeypot stays out of sight and out of the tab order.
    expect(page.locator("#id_website")).not_to_be_in_viewport()
    page.get_by_label("Your name").fill("Richard Francis Ellington-Moreau")
    page.get_by_label("Your e-mail").fill("richard@example.org")
    page.get_by_label("Subject").fill("Timeline of the consultation")
    page.get_by_label("Message").fill("When will the final workplan be published?")
    page.get_by_role("button", name="Send message").click()

    expect(page).to_have_url(re.compile(r"/contact/thanks/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    stored = ContactMessage.objects.get()
    assert stored.subject == "Timeline of the consultation"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["contact@hub.example.org"] and mailoutbox[0].reply_to == ["richard@example.org"]


def test_contact_form_explains_a_mistake_and_keeps_the_text(page):
    page.goto("/contact/")
    page.get_by_label("Your name").fill("Lotte")
    page.get_by_label("Your e-mail").fill("not-an-address")
    page.get_by_label("Subject").fill("Hello")
    page.get_by_label("Message").fill("A long message I do not want to type again.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_label("Message")).to_have_value("A long message I do not want to type again.")
    assert not ContactMessage.objects.exists()


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test`, which installs axe-core from npm (npm ci).")
    # A <script> tag would be refused by our CSP; evaluating the source through the driver is not.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_public_pages_have_no_serious_accessibility_violations(page, path):
    page.goto(path)
    assert serious_violations(page) == []


def test_the_profile_page_has_no_serious_accessibility_violations(page):
    user = make_user(complete=False)
    login(page, user.email, PASSWORD)
    page.goto("/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    assert serious_violations(page) == []
    # and with error messages on it
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Choose your organisation, or add it below.")).to_be_visible()
    assert serious_violations(page) == []


def test_a_360_px_phone_gets_no_horizontal_scroll_and_a_working_menu(page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px viewport"
    discussions = page.locator("#main-nav").get_by_role("link", name="Discussions")
    expect(discussions).to_be_hidden()
    toggler = page.get_by_role("button", name="Menu")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(discussions).to_be_visible()
    expect(page.locator("#main-nav").get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1]


def test_a_360_px_phone_shows_a_long_name_without_horizontal_scroll(page):
    user = make_user(name="Richard Francis Ellington-Moreau of the International Organization for Migration")
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, user.email, PASSWORD)
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("header .user-name")).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1]


def test_the_language_switcher_links_to_the_same_page_in_french(page):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switcher = page.get_by_role("navigation", name="Language")
    expect(switcher.get_by_role("link", name="العربيّة")).to_have_attribute("hreflang", "ar")
    with page.expect_navigation():
        switcher.get_by_role("link", name="Français").click()
    expect(page).to_have_url(re.compile(r"/fr/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    # allauth ships French: the page itself is now in French.
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    # Back to English: unprefixed, as before.
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

