"""The account journey in a real browser: sign up, verify by e-mail, complete the profile, log out, log in."""
import re

from playwright.sync_api import expect

from hub.models import Organisation, Profile
from tests.browser.conftest import login
from tests.factories import PASSWORD, make_organisation


def link_path(mail) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_sign_up_verify_complete_profile_log_out_and_log_in_again(page, mailoutbox):
    make_organisation(name="Migrant Workers Solidarity Forum", acronym="MWSF")
    email = "amina.odhiambo@example.org"

    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify Your Email Address", re.I))
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [email]

    # Not logged in yet: the header still invites to log in.
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()

    page.goto(link_path(mailoutbox[0]))
    expect(page.get_by_text(email)).to_be_visible()
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_text("You need a complete profile to comment.")).to_be_visible()
    page.get_by_label("Full name").fill("Amina Odhiambo-Wanjiru")
    page.get_by_label("Organisation", exact=False).first.select_option(label="Migrant Workers Solidarity Forum (MWSF)")
    page.get_by_label("Job title").fill("Policy coordinator")
    page.get_by_label("My organisation only").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    profile = Profile.objects.select_related("organisation").get(user__email=email)
    assert profile.is_complete and profile.attribution == "organisation"
    assert profile.organisation == Organisation.objects.get(acronym="MWSF")

    header = page.locator("header")
    expect(header.locator(".user-name")).to_have_text("Amina Odhiambo-Wanjiru")
    header.get_by_role("button", name="Amina Odhiambo-Wanjiru").click()
    header.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(header.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(header.locator(".user-name")).to_have_count(0)

    login(page, email, PASSWORD)
    expect(page.locator("header .user-name")).to_have_text("Amina Odhiambo-Wanjiru")
    expect(page.get_by_text("Successfully signed in as Amina Odhiambo-Wanjiru.")).to_be_visible()


def test_an_unverified_account_is_sent_to_verify_instead_of_logging_in(page, mailoutbox):
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("not.yet@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    login(page, "not.yet@example.org", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("header .user-name")).to_have_count(0)


def test_every_account_page_loads_without_csp_violations_or_script_errors(page):
    from allauth.account.models import EmailAddress

    from tests.factories import make_user

    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/confirm-email/", "/accounts/password/reset/",
                 "/accounts/password/reset/done/", "/accounts/inactive/", "/accounts/confirm-email/bad-key/",
                 "/accounts/password/reset/key/1-bad-key/"]:
        page.goto(path)
        expect(page.locator("header .navbar-brand")).to_be_visible()
        expect(page.locator("main .card h1")).to_be_visible()
    user = make_user(email="someone@example.org")
    EmailAddress.objects.create(user=user, email="pending@example.org", verified=False)
    login(page, user.email, PASSWORD)
    for path in ["/accounts/email/", "/accounts/password/change/", "/accounts/reauthenticate/", "/accounts/logout/",
                 "/profile/"]:
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
    page.goto("/accounts/email/")
    expect(page.locator("#pending-email")).to_be_hidden()
    page.get_by_role("button", name="Cancel Change").click()
    expect(page.locator("#new_email")).to_have_count(0)
    assert not EmailAddress.objects.filter(email="pending@example.org").exists()
