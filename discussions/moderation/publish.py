"""Publish a comment that waits for review (or reverse an earlier decline)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import notifications
from discussions.models import Comment
from discussions.moderation._common import locked, mark_moderated, resolve_flags, state
from discussions.permissions import check_moderate_comment
from hub.audit import audit_log

PUBLISHABLE = {Comment.Status.PENDING, Comment.Status.DECLINED}


@transaction.atomic
def comment_publish(*, actor, comment: Comment) -> Comment:
    """Only a moderator of the discussion publishes, and only a pending or declined comment; the author is told."""
    check_moderate_comment(actor, comment)
    comment = locked(comment)
    if comment.status not in PUBLISHABLE:
        raise ValidationError(_("Only a comment that awaits moderation or was declined can be published."))
    before = state(comment)
    now = timezone.now()
    first_time = comment.published_at is None
    comment.status = Comment.Status.PUBLISHED
    comment.decline_reason = ""
    fields = ["status", "decline_reason", *mark_moderated(comment, actor, now)]
    if first_time:
        comment.published_at = now
        fields.append("published_at")
    comment.save(update_fields=fields)
    resolve_flags(comment, actor, now)
    after = state(comment)
    after["waited_seconds"] = int((now - comment.created_at).total_seconds())
    audit_log(actor=actor, action="comment.publish", target=comment, before=before, after=after)
    notifications.author_published(comment)
    if first_time:
        notifications.notify_comment_published(comment)
    return comment


@transaction.atomic
def comments_publish(*, actor, comments: list[Comment]) -> list[Comment]:
    """Bulk publish: all of the selected comments or none (one refusal cancels the batch)."""
    if not comments:
        raise ValidationError(_("Select at least one comment."))
    return [comment_publish(actor=actor, comment=comment) for comment in comments]
