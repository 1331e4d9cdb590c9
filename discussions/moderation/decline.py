"""Decline a comment with a reason the author receives by e-mail and sees on their profile."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discussions import notifications
from discussions.models import Comment
from discussions.moderation._common import locked, mark_moderated, resolve_flags, state
from discussions.permissions import check_moderate_comment
from hub.audit import audit_log


class DeclineReason(models.TextChoices):
    OFF_TOPIC = "off_topic", gettext_lazy("It is not about the questions or the workplan under discussion.")
    DUPLICATE = "duplicate", gettext_lazy("It repeats a comment already posted.")
    PERSONAL = "personal", gettext_lazy("It attacks people or reveals personal data.")
    PROMOTION = "promotion", gettext_lazy("It advertises a product, service or event.")
    LANGUAGE = "language", gettext_lazy("It is not written in a language of this discussion.")
    UNCLEAR = "unclear", gettext_lazy("It cannot be understood as written.")
    OTHER = "other", gettext_lazy("Another reason (explained below).")


DECLINABLE = {Comment.Status.PENDING, Comment.Status.PUBLISHED, Comment.Status.HIDDEN}


def decline_reason_text(standard: str, details: str) -> str:
    """The reason as the author reads it: the standard sentence, then the moderator's own words."""
    details = (details or "").strip()
    if standard and standard not in DeclineReason.values:
        raise ValidationError({"standard_reason": _("Choose one of the listed reasons.")})
    if not standard and not details:
        raise ValidationError({"standard_reason": _("Choose a reason or explain it in your own words.")})
    if standard == DeclineReason.OTHER and not details:
        raise ValidationError({"details": _("Explain the reason in your own words.")})
    parts = []
    if standard and standard != DeclineReason.OTHER:
        parts.append(str(DeclineReason(standard).label))
    if details:
        parts.append(details)
    return "\n\n".join(parts)


@transaction.atomic
def comment_decline(*, actor, comment: Comment, standard_reason: str = "", details: str = "") -> Comment:
    """Only a moderator of the discussion declines, always with a reason, which is e-mailed to the author."""
    check_moderate_comment(actor, comment)
    reason = decline_reason_text(standard_reason, details)
    comment = locked(comment)
    if comment.status not in DECLINABLE:
        raise ValidationError(_("This comment cannot be declined in its current state."))
    before = state(comment)
    now = timezone.now()
    was_pending = comment.status == Comment.Status.PENDING
    comment.status = Comment.Status.DECLINED
    comment.decline_reason = reason
    comment.highlighted = False
    comment.save(update_fields=["status", "decline_reason", "highlighted", *mark_moderated(comment, actor, now)])
    resolve_flags(comment, actor, now)
    after = state(comment)
    if was_pending:
        after["waited_seconds"] = int((now - comment.created_at).total_seconds())
    audit_log(actor=actor, action="comment.decline", target=comment, before=before, after=after, reason=reason)
    notifications.author_declined(comment)
    return comment


@transaction.atomic
def comments_decline(*, actor, comments: list[Comment], standard_reason: str = "", details: str = "") -> list[Comment]:
    """Bulk decline with one reason for all: all of the selected comments or none."""
    if not comments:
        raise ValidationError(_("Select at least one comment."))
    return [comment_decline(actor=actor, comment=c, standard_reason=standard_reason, details=details) for c in comments]
