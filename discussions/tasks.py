"""Celery tasks of discussions. Queued after commit; without a broker they run in-process at once."""
from __future__ import annotations

from celery import shared_task

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
