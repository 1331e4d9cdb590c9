"""Every page allauth exposes here renders inside the site's layout, with Bootstrap styling."""
import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def assert_in_our_layout(response, path):
    assert response.status_code == 200, (path, response.status_code)
    body = response.content.decode()
    assert body.lstrip().startswith("<!DOCTYPE html>"), path
    assert re.search(r'<html lang="en" dir="ltr">', body), path
    assert re.search(r"<title>\s*\w[^<]* · Hub</title>", body), (path, re.search(r"<title>.*?</title>", body, re.S))
    assert '<header class="site-header' in body, path
    assert '<a class="navbar-brand fw-bold" href="/">Hub</a>' in body, path
    assert '<main id="main"' in body, path
    assert '<footer class="site-footer' in body and 'href="/contact/"' in body, path
    assert "/static/bootstrap/css/bootstrap.min.css" in body, path
    # Our CSP allows neither inline styles nor inline scripts.
    assert not re.search(r"<[^>]+\sstyle=", body), (path, re.search(r"<[^>]+\sstyle=[^>]*>", body).group(0))
    assert all(" src=" in tag for tag in re.findall(r"<script\b[^>]*>", body)), path
    # allauth's own content sits in our card, under our restyled heading.
    assert '<div class="card shadow-sm"><div class="card-body p-4">' in body, path
    assert re.search(r'<h1 class="h3 mb-3">\s*\S', body), path
    # Every input allauth renders carries Bootstrap's classes.
    for tag in re.findall(r"<input\b[^>]*>", body):
        if 'type="hidden"' in tag:
            continue
        assert re.search(r'class="[^"]*(form-control|form-check-input|form-select)', tag), (path, tag)
    for tag in re.findall(r"<button\b[^>]*>", body):
        assert re.search(r'class="[^"]*\b(btn|dropdown-item|navbar-toggler|nav-link)\b', tag), (path, tag)


ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/confirm-email/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/inactive/",
    "/accounts/confirm-email/not-a-real-key/",
    "/accounts/password/reset/key/1-not-a-real-key/",
]
SIGNED_IN_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
]


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_pages_for_visitors_use_the_site_layout(client, path):
    assert_in_our_layout(client.get(path), path)


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_pages_for_signed_in_users_use_the_site_layout(client, path):
    client.force_login(make_user())
    assert_in_our_layout(client.get(path), path)


def test_the_email_page_with_a_change_pending_uses_the_site_layout(client):
    user = make_user(email="old@example.org")
    EmailAddress.objects.create(user=user, email="pending@example.org", verified=False)
    client.force_login(user)
    response = client.get("/accounts/email/")
    assert_in_our_layout(response, "/accounts/email/ (change pending)")
    body = response.content.decode()
    assert 'value="pending@example.org"' in body
    assert '<form class="d-none" id="pending-email" method="post" action="/accounts/email/">' in body
    assert re.search(r'<button class="btn btn-sm btn-danger" form="pending-email" name="action_remove"', body)


def test_cancelling_a_pending_email_change_from_the_page_works(client):
    user = make_user(email="old@example.org")
    EmailAddress.objects.create(user=user, email="pending@example.org", verified=False)
    client.force_login(user)
    response = client.post("/accounts/email/", {"action_remove": "", "email": "pending@example.org"})
    assert response.status_code == 302
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["old@example.org"]


def test_the_email_confirmation_page_uses_the_site_layout(client):
    user = make_user(verified=False)
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=user)).key
    path = f"/accounts/confirm-email/{key}/"
    response = client.get(path)
    assert_in_our_layout(response, path)
    assert user.email in response.content.decode()


def test_the_set_new_password_page_uses_the_site_layout(client):
    user = make_user()
    path = f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}/"
    response = client.get(path, follow=True)
    assert_in_our_layout(response, path)
    assert 'name="password1"' in response.content.decode()


def test_the_set_password_page_uses_the_site_layout(client):
    user = make_user()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.get("/accounts/password/set/")
    assert_in_our_layout(response, "/accounts/password/set/")


def test_the_account_pages_for_signed_in_users_show_the_account_navigation(client):
    client.force_login(make_user())
    body = client.get("/accounts/email/").content.decode()
    assert '<nav aria-label="Account" class="mb-3">' in body
    assert 'class="nav-link active" aria-current="page" href="/accounts/email/"' in body
