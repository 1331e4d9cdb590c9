"""The unsubscribe link in follower e-mails: opening it only asks (mail scanners open links), a POST - the button,
or a mail client's RFC 8058 one-click, which carries no CSRF token - stops the e-mails."""
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from discussions import services
from discussions.models import Subscription
from discussions.moderation import question_post
from discussions.notifications import unsubscribe_token
from tests.factories import make_comment, make_discussion, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def follower():
    discussion = make_discussion(title="Workplan 2025 consultation")
    user = make_user(email="amina@example.org")
    Subscription.objects.create(user=user, discussion=discussion)
    return user, discussion


def link(user, discussion) -> str:
    return reverse("discussions:unsubscribe",
                   kwargs={"token": unsubscribe_token(user_id=user.pk, discussion_id=discussion.pk)})


def test_opening_the_link_asks_and_changes_nothing(client, follower):
    user, discussion = follower
    response = client.get(link(user, discussion))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop following this discussion?" in html
    assert "Workplan 2025 consultation" in html
    assert '<form method="post">' in html and "Stop e-mails about this discussion</button>" in html
    assert Subscription.objects.filter(user=user, discussion=discussion).exists()
    assert client.head(link(user, discussion)).status_code == 200
    assert Subscription.objects.filter(user=user, discussion=discussion).exists()


def test_the_button_unsubscribes(client, follower):
    user, discussion = follower
    response = client.post(link(user, discussion), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You no longer follow this discussion" in response.content.decode()
    assert not Subscription.objects.filter(user=user, discussion=discussion).exists()


def test_a_mail_clients_one_click_post_without_a_csrf_token_unsubscribes(follower):
    user, discussion = follower
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(link(user, discussion), "List-Unsubscribe=One-Click",
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Subscription.objects.filter(user=user, discussion=discussion).exists()


def test_unsubscribing_twice_is_harmless_and_the_page_says_there_is_nothing_to_stop(client, follower):
    user, discussion = follower
    assert client.post(link(user, discussion)).status_code == 200
    assert client.post(link(user, discussion)).status_code == 200
    html = client.get(link(user, discussion)).content.decode()
    assert "You do not follow" in html and "<form" not in html.split("<main", 1)[-1].split("</main>")[0]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_changed_link_is_refused_with_a_clear_message(client, follower, method):
    user, discussion = follower
    token = unsubscribe_token(user_id=user.pk, discussion_id=discussion.pk)
    response = getattr(client, method)(reverse("discussions:unsubscribe", kwargs={"token": token[:-3] + "abc"}))
    assert response.status_code == 400
    assert "The unsubscribe link is incomplete or was changed" in response.content.decode()
    assert Subscription.objects.filter(user=user, discussion=discussion).exists()


def test_a_link_to_a_discussion_that_is_gone_is_refused_with_a_clear_message(client, follower):
    user, discussion = follower
    url = link(user, discussion)
    discussion.delete()
    response = client.post(url)
    assert response.status_code == 400
    assert "The unsubscribe link is incomplete or was changed" in response.content.decode()


def test_other_methods_are_not_allowed(client, follower):
    assert client.put(link(*follower)).status_code == 405


def test_follower_emails_carry_the_one_click_headers(follower, django_capture_on_commit_callbacks):
    user, discussion = follower
    moderator = make_user()
    discussion.moderators.add(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        question_post(actor=moderator, discussion=discussion, text="What else should we consider?")
    [message] = mail.outbox
    url = re.search(r"http://\S+/discussions/unsubscribe/\S+/", message.body).group(0)
    headers = message.message()
    assert headers["List-Unsubscribe"] == f"<{url}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_line_break_in_a_display_name_cannot_add_mail_headers(follower, django_capture_on_commit_callbacks):
    user, discussion = follower
    parent = make_comment(discussion=discussion, author=user)
    replier = make_user(name="Mallory\r\nBcc: everyone@example.org")
    discussion.moderation = "post"
    discussion.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(actor=replier, discussion=discussion, parent=parent, body="A reply.")
    [message] = mail.outbox
    assert message.recipients() == ["amina@example.org"]
    header_block = message.message().as_string().split("\n\n", 1)[0]
    assert "\nBcc:" not in header_block
    assert message.subject.startswith("[Hub] Mallory Bcc: everyone@example.org replied")


def test_one_follower_whose_mail_fails_does_not_stop_the_others(monkeypatch, django_capture_on_commit_callbacks):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    discussion = make_discussion()
    for email in ("first@example.org", "second@example.org", "third@example.org"):
        Subscription.objects.create(user=make_user(email=email), discussion=discussion)
    moderator = make_user()
    discussion.moderators.add(moderator)
    real_send = EmailBackend.send_messages

    def send_messages(self, messages):
        if any(m.to == ["second@example.org"] for m in messages):
            raise smtplib.SMTPRecipientsRefused({"second@example.org": (550, b"mailbox refused")})
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    with django_capture_on_commit_callbacks(execute=True):
        question_post(actor=moderator, discussion=discussion, text="A new question?")
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.org", "third@example.org"]
