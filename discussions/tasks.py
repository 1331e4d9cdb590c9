"""The tasks of discussions: fan-out of follower notices, and what celery beat runs (settings.CELERY_BEAT_SCHEDULE):
moderation digests, the notices of discussions opening and closing by their dates, and the purge of staged
uploads. Each is a thin wrapper; the work is in discussions.notifications and discussions.uploads, which the
management commands call too."""
from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from discussions import notifications
from discussions.models import Discussion
from discussions.uploads import purge_stale_staged

STAGED_UPLOADS_MAX_AGE = timedelta(hours=24)


@shared_task(name="discussions.tasks.notify_followers")
def notify_followers(kind: str, discussion_id: int, question_id: int | None = None,
                     exclude_user_id: int | None = None) -> int:
    """One notice to every follower of a discussion, written and sent in batches (see notifications)."""
    return notifications.send_follower_notices(kind, discussion_id, question_id, exclude_user_id)


@shared_task(name="discussions.tasks.send_moderation_digests")
def send_moderation_digests(discussion_id: int | None = None) -> int:
    """Every moderation digest that is due (for one discussion's moderators when a comment arrives, else all)."""
    discussion = Discussion.objects.filter(pk=discussion_id).first() if discussion_id is not None else None
    if discussion_id is not None and discussion is None:
        return 0
    return notifications.send_due_digests(discussion=discussion)


@shared_task(name="discussions.tasks.send_discussion_date_notices")
def send_discussion_date_notices() -> int:
    """Opening, "closes in three days" and closing notices that are due, each sent once."""
    return notifications.send_discussion_date_notices()


@shared_task(name="discussions.tasks.purge_staged_uploads")
def purge_staged_uploads() -> int:
    """Files staged on a preview and never posted, older than a day."""
    return len(purge_stale_staged(STAGED_UPLOADS_MAX_AGE))


BATCH = 500


@shared_task
def refresh_display_copies(workplan_id: int) -> int:
    """Remake the stored display copies (mention-linked bodies) of every comment of the workplan's discussions,
    in batches; returns how many changed. Run after the workplan's priorities changed, so pages again render
    without linking (until then they link as they render: never stale, only slower)."""
    from discussions.models import Comment, Discussion
    from discussions.rendering import refresh_display_copies as refresh
    from hub import pagecache

    changed = 0
    for discussion in Discussion.objects.filter(workplan_id=workplan_id).select_related("workplan"):
        comments = Comment.objects.filter(discussion=discussion).only("id", "body", "body_display").order_by("id")
        batch = []
        for comment in comments.iterator(chunk_size=BATCH):
            batch.append(comment)
            if len(batch) == BATCH:
                changed += _save(refresh(batch, discussion))
                batch = []
        changed += _save(refresh(batch, discussion))
    if changed:
        pagecache.invalidate()  # the reads kept for signed-in pages hold the old copies
    return changed


def _save(comments: list) -> int:
    from discussions.models import Comment

    if comments:
        Comment.objects.bulk_update(comments, ["body_display"], batch_size=BATCH)
    return len(comments)


def queue_display_refresh(sender, workplan_id: int, **kwargs) -> None:
    """Receiver of workplan.signals.priorities_changed (sent after commit): queue the refresh."""
    refresh_display_copies.delay(workplan_id)
