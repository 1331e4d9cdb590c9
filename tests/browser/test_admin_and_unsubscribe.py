"""Two journeys that start outside the site's pages: an administrator opening /admin/, and a follower opening the
unsubscribe link of an e-mail."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from discussions.models import Subscription
from discussions.notifications import unsubscribe_token
from tests.factories import PASSWORD, make_discussion, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_opening_the_admin_signs_in_at_the_site_login_and_lands_in_the_admin(page):
    make_user(email="admin@example.org", is_staff=True, is_superuser=True)
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F$"))
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_a_follower_opens_the_unsubscribe_link_confirms_and_is_unsubscribed(page):
    discussion = make_discussion(title="Workplan 2025 consultation")
    user = make_user()
    Subscription.objects.create(user=user, discussion=discussion)
    url = reverse("discussions:unsubscribe",
                  kwargs={"token": unsubscribe_token(user_id=user.pk, discussion_id=discussion.pk)})
    page.goto(url)
    expect(page.get_by_role("heading", name="Stop following this discussion?")).to_be_visible()
    assert Subscription.objects.filter(user=user).exists()  # opening the link changed nothing
    page.get_by_role("button", name="Stop e-mails about this discussion").click()
    expect(page.get_by_role("heading", name="You no longer follow this discussion")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Workplan 2025 consultation")
    assert not Subscription.objects.filter(user=user).exists()
