"""Every e-mail of discussions: followers, authors and the moderators' digest. Links are absolute on HUB_SITE_URL,
and a mail server that refuses a mail never fails the action that sent it."""
import logging
import re
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from discussions import moderation as mod
from discussions import notifications, services
from discussions.models import Comment, Subscription
from tests.factories import make_comment, make_discussion, make_question, make_user

pytestmark = pytest.mark.django_db

SITE = "https://consult.example.org"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every mail."""

    def send_messages(self, email_messages):
        raise SMTPException("550 relaying denied")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.HUB_SITE_URL = SITE + "/"  # a trailing slash in the setting gives no double slash in links
    settings.HUB_SITE_NAME = "Consultation Hub"


@pytest.fixture
def moderator():
    return make_user(email="mod@example.org")


@pytest.fixture
def discussion(moderator):
    return make_discussion(moderators=[moderator])


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_site_url_is_the_setting_without_its_trailing_slash():
    assert notifications.site_url() == SITE
    assert notifications.site_url("/discussions/") == SITE + "/discussions/"


# --- Followers ------------------------------------------------------------------------------------------------------

def test_a_follower_hears_of_a_published_reply_with_absolute_links(discussion, django_capture_on_commit_callbacks):
    discussion.moderation = "post"
    discussion.save()
    parent_author = make_user(email="amina@example.org")
    parent = make_comment(discussion=discussion, author=parent_author)
    Subscription.objects.create(user=parent_author, discussion=discussion)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.comment_post(actor=make_user(), discussion=discussion, parent=parent, body="A reply.")
    [message] = to("amina@example.org")
    assert message.subject.startswith("[Consultation Hub] ")
    assert SITE + reply.get_absolute_url() in links(message)
    unsubscribe = [link for link in links(message) if "/unsubscribe/" in link]
    assert unsubscribe and unsubscribe[0].startswith(SITE + "/discussions/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe[0]}>"


def test_followers_hear_of_a_new_question_with_an_absolute_link(discussion, moderator,
                                                                 django_capture_on_commit_callbacks):
    follower = make_user(email="follower@example.org")
    Subscription.objects.create(user=follower, discussion=discussion)
    Subscription.objects.create(user=moderator, discussion=discussion)
    with django_capture_on_commit_callbacks(execute=True):
        question = mod.question_post(actor=moderator, discussion=discussion, text="What is missing?")
    [message] = mail.outbox  # not to the moderator who posted it
    assert message.to == ["follower@example.org"]
    assert "What is missing?" in message.body
    assert SITE + question.get_absolute_url() in links(message)


# --- Authors --------------------------------------------------------------------------------------------------------

def test_the_author_hears_their_comment_is_published_with_an_absolute_link(discussion, moderator,
                                                                           django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, author=make_user(email="author@example.org"), status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_publish(actor=moderator, comment=comment)
    [message] = to("author@example.org")
    assert message.subject == "[Consultation Hub] Your comment is published"
    assert SITE + comment.get_absolute_url() in links(message)


def test_the_author_hears_why_their_comment_was_declined(discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, author=make_user(email="author@example.org"), status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_decline(actor=moderator, comment=comment, standard_reason="duplicate",
                            details="See comment 12, which says the same.")
    [message] = to("author@example.org")
    assert message.subject == "[Consultation Hub] Your comment was not published"
    assert "It repeats a comment already posted." in message.body
    assert "See comment 12, which says the same." in message.body


def test_the_author_hears_a_moderator_edited_their_comment_and_why(discussion, moderator,
                                                                   django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, author=make_user(email="author@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_moderator_edit(actor=moderator, comment=comment, body="<p>Shorter.</p>", reason="Personal data")
    [message] = to("author@example.org")
    assert message.subject == "[Consultation Hub] A moderator edited your comment"
    assert "Personal data" in message.body and "Shorter." in message.body
    assert SITE + comment.get_absolute_url() in links(message)


def test_an_inactive_author_gets_no_mail(discussion, moderator, django_capture_on_commit_callbacks):
    author = make_user(email="gone@example.org", is_active=False)
    comment = make_comment(discussion=discussion, author=author, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_publish(actor=moderator, comment=comment)
    assert to("gone@example.org") == []


# --- Moderators -----------------------------------------------------------------------------------------------------

def test_the_digest_links_the_comment_and_the_queue_absolutely(discussion, moderator,
                                                               django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.comment_awaits_review(comment)
    [message] = to("mod@example.org")
    assert message.subject == "[Consultation Hub] 1 new item in your moderation queue"
    assert SITE + reverse("discussions:comment-moderate", kwargs={"pk": comment.pk}) in links(message)
    assert SITE + reverse("discussions:moderation-queue") in links(message)


# --- A mail server that refuses ---------------------------------------------------------------------------------

@pytest.fixture
def refusing_mail_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"


@pytest.mark.django_db(transaction=True)  # on_commit runs inside the request, as in production
def test_a_refused_author_mail_does_not_fail_the_moderators_decision(client, refusing_mail_server, caplog):
    moderator = make_user()
    comment = make_comment(discussion=make_discussion(moderators=[moderator]), status="pending")
    client.force_login(moderator)
    with caplog.at_level(logging.ERROR, logger="hub.mail"):
        response = client.post(reverse("discussions:moderation-publish", kwargs={"pk": comment.pk}))
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PUBLISHED
    assert "E-mail not sent: [Consultation Hub] Your comment is published" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_refused_follower_and_digest_mails_do_not_fail_posting(client, refusing_mail_server, caplog):
    moderator = make_user(email="mod@example.org")
    discussion = make_discussion(moderators=[moderator])
    parent_author = make_user()
    Subscription.objects.create(user=parent_author, discussion=discussion)
    parent = make_comment(discussion=discussion, author=parent_author)
    with caplog.at_level(logging.ERROR, logger="hub.mail"):
        pending = services.comment_post(actor=make_user(), discussion=discussion, parent=parent, body="Waits.")
        question = mod.question_post(actor=moderator, discussion=discussion, text="A new question?")
    assert pending.status == Comment.Status.PENDING and question.pk
    assert caplog.text.count("E-mail not sent") == 2  # the digest to the moderator, the question to the follower
