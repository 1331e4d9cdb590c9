"""Notices to every follower of a discussion: one task with ids (the request never reads the followers), batches
over one connection each in the worker, each mail in the follower's language; the opening, "closes in three days"
and closing notices go out by the discussion's dates, each once."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone, translation

from discussions import notifications
from discussions.models import Discussion, Subscription
from discussions.moderation import question_post
from tests.factories import make_discussion, make_user

pytestmark = pytest.mark.django_db


def follow(discussion, count: int, **user_fields):
    users = [make_user(**user_fields) for _ in range(count)]
    Subscription.objects.bulk_create([Subscription(user=user, discussion=discussion) for user in users])
    return users


@pytest.mark.parametrize("followers", [1, 50])
def test_posting_a_question_queues_one_task_with_ids_whatever_the_number_of_followers(
        followers, monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries):
    import hub.tasks

    moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    follow(discussion, followers)
    queued = []
    monkeypatch.setattr(hub.tasks, "enqueue", lambda task, *args: queued.append((task.name, args)))
    ContentType.objects.clear_cache()  # both sizes look up the audit entry's content type
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(11):  # the same for 1 and 50 followers: none of them is read
            question = question_post(actor=moderator, discussion=discussion, text="Which priorities matter?")
    assert queued == [("discussions.tasks.notify_followers",
                       (notifications.QUESTION_POSTED, discussion.pk, question.pk, moderator.pk))]
    assert mail.outbox == []


def test_the_worker_sends_follower_notices_in_batches_over_one_connection_each(monkeypatch, settings):
    settings.HUB_MAIL_BATCH_SIZE = 2
    discussion = make_discussion()
    follow(discussion, 5)
    inactive = follow(discussion, 1)[0]
    inactive.is_active = False
    inactive.save()
    opened = []
    real_open = EmailBackend.open
    monkeypatch.setattr(EmailBackend, "open", lambda self: opened.append(self) or real_open(self))
    written = notifications.send_follower_notices(notifications.DISCUSSION_OPENED, discussion.pk)
    assert written == 5 and len(mail.outbox) == 5
    assert len(opened) == 3  # 2 + 2 + 1
    assert inactive.email not in [m.to[0] for m in mail.outbox]


def test_each_follower_notice_is_written_in_the_followers_language(monkeypatch):
    discussion = make_discussion()
    french, default = make_user(email="fr@example.org"), make_user(email="en@example.org")
    french.profile.language = "fr"
    french.profile.save()
    Subscription.objects.create(user=french, discussion=discussion)
    Subscription.objects.create(user=default, discussion=discussion)
    languages = {}
    real_render = notifications.render_to_string

    def render(template, context):
        languages[context.get("unsubscribe_url")] = translation.get_language()
        return real_render(template, context)

    monkeypatch.setattr(notifications, "render_to_string", render)
    notifications.send_follower_notices(notifications.DISCUSSION_CLOSED, discussion.pk)
    by_address = {m.to[0]: m.extra_headers["List-Unsubscribe"].strip("<>") for m in mail.outbox}
    assert languages[by_address["fr@example.org"]] == "fr"
    assert languages[by_address["en@example.org"]] == settings.LANGUAGE_CODE


def subjects() -> list[str]:
    found = sorted({m.subject for m in mail.outbox})
    mail.outbox.clear()
    return found


def test_opening_closing_soon_and_closing_are_each_announced_once(django_capture_on_commit_callbacks):
    now = timezone.now()
    discussion = make_discussion(title="Workplan 2026", opens_at=now + timedelta(hours=1),
                                 closes_at=now + timedelta(days=5))
    follow(discussion, 2)

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return notifications.send_discussion_date_notices(now=at)

    assert run(now) == 0 and subjects() == []  # not open yet
    assert run(now + timedelta(hours=2)) == 1
    assert subjects() == ["[Hub] “Workplan 2026” is open for comments"]
    assert run(now + timedelta(hours=3)) == 0 and subjects() == []  # beat again: nothing twice
    assert run(now + timedelta(days=2, hours=1)) == 1
    assert subjects() == ["[Hub] “Workplan 2026” closes in three days"]
    assert run(now + timedelta(days=3)) == 0
    assert run(now + timedelta(days=5, minutes=1)) == 1
    assert subjects() == ["[Hub] “Workplan 2026” is closed"]
    assert run(now + timedelta(days=6)) == 0 and subjects() == []
    discussion.refresh_from_db()
    assert discussion.opened_notice_sent_at and discussion.closing_reminder_sent_at
    assert discussion.closed_notice_sent_at


def test_drafts_and_discussions_without_dates_announce_nothing(django_capture_on_commit_callbacks):
    now = timezone.now()
    draft = make_discussion(status=Discussion.Status.DRAFT, opens_at=now - timedelta(hours=1),
                            closes_at=now + timedelta(days=1))
    undated = make_discussion(opens_at=None, closes_at=None)
    follow(draft, 1)
    follow(undated, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_discussion_date_notices(now=now) == 0
    assert mail.outbox == []


def test_every_scheduled_job_is_a_registered_task():
    from hub.celery import app

    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {"moderation-digests", "discussion-date-notices", "purge-staged-uploads"} <= set(schedule)
    for entry in schedule.values():
        assert entry["task"] in app.tasks


def test_the_digest_command_and_the_scheduled_task_run_the_same_function(monkeypatch):
    from discussions import tasks

    calls = []
    monkeypatch.setattr(notifications, "send_due_digests", lambda **kwargs: calls.append(kwargs) or 0)
    call_command("send_moderation_digest")
    tasks.send_moderation_digests.apply()
    assert calls == [{}, {"discussion": None}]


def test_the_scheduled_purge_removes_stale_staged_uploads(monkeypatch):
    from discussions import tasks

    ages = []
    monkeypatch.setattr(tasks, "purge_stale_staged", lambda age: ages.append(age) or ["a", "b"])
    assert tasks.purge_staged_uploads.apply().get() == 2
    assert ages == [timedelta(hours=24)]
