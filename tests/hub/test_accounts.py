"""Accounts through allauth: sign-up with mandatory e-mail verification, log in by e-mail, reset, change e-mail."""
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-long-phrase-42"


def link_in(mail) -> str:
    """The path of the first link to this site in an e-mail's body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def sign_up(client, email="new.person@example.org"):
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def test_sign_up_sends_a_verification_email_and_does_not_log_in(client, mailoutbox):
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email="new.person@example.org")
    assert EmailAddress.objects.get(user=user).verified is False
    assert logged_in_user_id(client) is None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["new.person@example.org"]
    assert mail.subject.startswith("[Hub] ")
    assert "/accounts/confirm-email/" in link_in(mail)


def test_an_unverified_account_cannot_log_in(client, mailoutbox):
    sign_up(client)
    mailoutbox.clear()
    response = client.post("/accounts/login/", {"login": "new.person@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert logged_in_user_id(client) is None
    assert client.get("/profile/").status_code == 302


def test_following_the_verification_link_verifies_and_logs_in(client, mailoutbox):
    sign_up(client)
    confirm_path = link_in(mailoutbox[0])
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "new.person@example.org" in page.content.decode()
    response = client.post(confirm_path)
    assert response.status_code == 302 and response["Location"] == "/profile/"
    user = get_user_model().objects.get(email="new.person@example.org")
    assert EmailAddress.objects.get(user=user).verified is True
    assert logged_in_user_id(client) == str(user.pk)


def test_sign_up_with_a_taken_email_is_refused_without_creating_an_account(client):
    make_user(email="taken@example.org")
    response = sign_up(client, email="TAKEN@example.org")
    assert get_user_model().objects.filter(email__iexact="taken@example.org").count() == 1
    assert response.status_code in (200, 302)
    assert logged_in_user_id(client) is None


def test_sign_up_refuses_a_weak_password(client):
    response = client.post("/accounts/signup/", {"email": "weak@example.org", "password1": "password",
                                                 "password2": "password"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not get_user_model().objects.filter(email="weak@example.org").exists()


def test_login_is_by_email(client):
    user = make_user(email="lotte@example.org")
    response = client.post("/accounts/login/", {"login": "Lotte@Example.ORG", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_user_id(client) == str(user.pk)


def test_login_by_username_is_not_offered(client):
    user = make_user()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_a_wrong_password_is_refused_with_a_message(client):
    user = make_user()
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-password-123"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert logged_in_user_id(client) is None


def test_repeated_failed_logins_lock_the_account_for_a_while(client):
    user = make_user()
    for attempt in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": f"wrong-{attempt}-xyz"})
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_password_reset_sends_a_link_that_sets_a_new_password(client, mailoutbox):
    user = make_user(email="forgetful@example.org")
    response = client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["forgetful@example.org"]
    page = client.get(link_in(mailoutbox[0]), follow=True)
    assert page.status_code == 200
    set_password_path = page.redirect_chain[-1][0] if page.redirect_chain else link_in(mailoutbox[0])
    response = client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/key/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.post("/accounts/login/", {"login": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_password_reset_for_an_unknown_address_reveals_nothing(client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    # allauth tells the owner of the address that it has no account here; the mail carries no reset link.
    assert all("/accounts/password/reset/key/" not in m.body for m in mailoutbox)
    assert not get_user_model().objects.filter(email="nobody@example.org").exists()


def test_changing_the_email_takes_effect_once_the_new_address_is_verified(client, mailoutbox):
    user = make_user(email="old@example.org")
    client.force_login(user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user, email="new@example.org").verified is False
    user.refresh_from_db()
    assert user.email == "old@example.org"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new@example.org"]
    client.post(link_in(mailoutbox[0]))
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("new@example.org", True, True)]


def test_changing_the_password_needs_the_old_one(client):
    user = make_user()
    client.force_login(user)
    refused = client.post("/accounts/password/change/", {"oldpassword": "not-it-at-all", "password1": NEW_PASSWORD,
                                                         "password2": NEW_PASSWORD})
    assert refused.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    done = client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": NEW_PASSWORD,
                                                      "password2": NEW_PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_logout_by_get_only_asks_for_confirmation(client):
    user = make_user()
    client.force_login(user)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert '<form method="post" action="/accounts/logout/"' in response.content.decode()
    assert logged_in_user_id(client) == str(user.pk)


def test_logout_by_post_logs_out_and_goes_home(client):
    client.force_login(make_user())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_user_id(client) is None


def test_the_header_logout_is_a_post_form(client):
    client.force_login(make_user())
    body = client.get("/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"',
                     body)
    assert 'href="/accounts/logout/"' not in body


def test_visitors_see_the_invitation_to_log_in(client):
    body = client.get("/about/").content.decode()
    assert 'href="/accounts/login/?next=/about/"' in body
    assert "Sign in" in body


def test_allauth_names_people_by_their_display_name_not_a_username(client):
    user = make_user(name="Sofia Marquez")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)
    body = response.content.decode()
    assert "Successfully signed in as Sofia Marquez." in body
    assert user.username not in body


def test_people_without_a_name_yet_are_never_named_by_their_generated_username(client, mailoutbox):
    sign_up(client, email="fresh@example.org")
    username = get_user_model().objects.get(email="fresh@example.org").username
    assert mailoutbox[0].to == ["fresh@example.org"]
    assert username not in mailoutbox[0].body and username not in mailoutbox[0].subject


def test_account_emails_greet_with_the_site_name_not_the_host_name(client, mailoutbox, settings):
    settings.HUB_SITE_NAME = "Network Hub"
    sign_up(client, email="greeted@example.org")
    body = mailoutbox[0].body
    assert body.startswith("Hello from Network Hub,")
    assert "Network Hub, the secretariat's consultation site" in body
    assert "Hello from testserver" not in body


def test_the_sign_up_verification_email_is_written_for_this_site(client, mailoutbox):
    sign_up(client)
    [mail] = mailoutbox
    assert mail.subject == "[Hub] Confirm your e-mail address to take part in the consultations"
    assert mail.body.startswith("Hello from Hub,")
    assert "online consultations on the network's workplan" in mail.body
    assert "complete your profile with your name and the organisation you speak for" in mail.body
    assert "If you did not sign up, ignore this e-mail" in mail.body
    assert "You're receiving this email because" not in mail.body  # allauth's default text is gone
    assert "/accounts/confirm-email/" in link_in(mail)
