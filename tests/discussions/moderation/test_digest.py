"""Moderators hear of new items in batches: at most one e-mail each per 15 minutes, listing text and links."""
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from discussions import moderation as mod
from discussions import notifications
from tests.factories import make_comment, make_discussion, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return make_user(email="mod@example.org")


@pytest.fixture
def discussion(moderator):
    return make_discussion(moderators=[moderator])


def arrive(discussion, capture, **fields):
    """A comment starts waiting, as the posting service announces it."""
    comment = make_comment(discussion=discussion, status="pending", **fields)
    with capture(execute=True):
        notifications.comment_awaits_review(comment)
    return comment


def digests_to(address):
    return [m for m in mail.outbox if m.to == [address] and "moderation queue" in m.subject]


def test_the_first_waiting_comment_is_emailed_at_once_with_its_text_and_link(
        discussion, moderator, django_capture_on_commit_callbacks):
    comment = arrive(discussion, django_capture_on_commit_callbacks, body_text="Please add a priority on care work.")
    [message] = digests_to(moderator.email)
    assert "Please add a priority on care work." in message.body
    assert f"/discussions/moderation/comments/{comment.pk}/" in message.body


def test_more_comments_within_15_minutes_wait_for_the_next_digest(
        discussion, moderator, django_capture_on_commit_callbacks):
    arrive(discussion, django_capture_on_commit_callbacks, body_text="First")
    second = arrive(discussion, django_capture_on_commit_callbacks, body_text="Second comment text")
    third = arrive(discussion, django_capture_on_commit_callbacks, body_text="Third comment text")
    assert len(digests_to(moderator.email)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_due_digests(now=timezone.now() + timedelta(minutes=5)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_due_digests(now=timezone.now() + timedelta(minutes=16)) == 1
    first, later = digests_to(moderator.email)
    assert "Second comment text" in later.body and "Third comment text" in later.body
    assert "First" not in later.body.split("\n\n", 1)[1].split("Your review queue")[0]
    assert str(second.pk) in later.body and str(third.pk) in later.body


def test_nothing_new_sends_nothing(discussion, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_due_digests() == 0
    assert mail.outbox == []


def test_site_moderators_hear_of_every_discussion_and_others_only_of_theirs(
        discussion, moderator, django_capture_on_commit_callbacks):
    site = make_user(role="Moderators", email="site@example.org")
    elsewhere = make_user(email="elsewhere@example.org")
    make_discussion(moderators=[elsewhere])
    arrive(discussion, django_capture_on_commit_callbacks)
    assert len(digests_to(site.email)) == 1
    assert len(digests_to(moderator.email)) == 1
    assert digests_to(elsewhere.email) == []


def test_a_report_is_announced_to_the_moderators(discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, body_text="Buy cheap watches")
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_flag(actor=make_user(), comment=comment, reason="spam")
    [message] = digests_to(moderator.email)
    assert "Readers reported" in message.body and "Buy cheap watches" in message.body


def test_the_cron_command_sends_what_is_due(discussion, moderator, django_capture_on_commit_callbacks):
    make_comment(discussion=discussion, status="pending", body_text="Waiting since before the digest")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_moderation_digest", stdout=open("/dev/null", "w"))
    [message] = digests_to(moderator.email)
    assert "Waiting since before the digest" in message.body


def test_a_comment_attributed_to_its_organisation_only_names_the_organisation_once(
        discussion, moderator, django_capture_on_commit_callbacks):
    arrive(discussion, django_capture_on_commit_callbacks, author_name="Lotte Vermeulen",
           author_organisation="Global Union of Care Workers", show_personal_name=False, body_text="Our view.")
    [message] = digests_to(moderator.email)
    assert "- Global Union of Care Workers, " in message.body
    assert "Global Union of Care Workers (Global Union of Care Workers)" not in message.body
    assert "Lotte Vermeulen" not in message.body
