"""Hide a published comment behind a placeholder that gives the reason, and show it again."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Comment
from discussions.moderation._common import locked, mark_moderated, require_reason, resolve_flags, state
from discussions.permissions import check_moderate_comment
from hub.audit import audit_log


@transaction.atomic
def comment_hide(*, actor, comment: Comment, reason: str) -> Comment:
    """Only a published comment is hidden, with a reason readers see in its place so replies still make sense."""
    check_moderate_comment(actor, comment)
    reason = require_reason(reason)
    comment = locked(comment)
    if comment.status != Comment.Status.PUBLISHED:
        raise ValidationError(_("Only a published comment can be hidden."))
    before = state(comment)
    now = timezone.now()
    comment.status = Comment.Status.HIDDEN
    comment.hidden_reason = reason
    comment.highlighted = False
    comment.save(update_fields=["status", "hidden_reason", "highlighted", *mark_moderated(comment, actor, now)])
    resolve_flags(comment, actor, now)
    audit_log(actor=actor, action="comment.hide", target=comment, before=before, after=state(comment), reason=reason)
    return comment


@transaction.atomic
def comment_unhide(*, actor, comment: Comment, reason: str = "") -> Comment:
    """A hidden comment (by a moderator or by readers' reports) is published again; open reports are answered."""
    check_moderate_comment(actor, comment)
    comment = locked(comment)
    if comment.status != Comment.Status.HIDDEN:
        raise ValidationError(_("This comment is not hidden."))
    before = state(comment)
    now = timezone.now()
    comment.status = Comment.Status.PUBLISHED
    comment.hidden_reason = ""
    fields = ["status", "hidden_reason", *mark_moderated(comment, actor, now)]
    if comment.published_at is None:
        comment.published_at = now
        fields.append("published_at")
    comment.save(update_fields=fields)
    resolve_flags(comment, actor, now)
    audit_log(actor=actor, action="comment.unhide", target=comment, before=before, after=state(comment),
              reason=reason.strip())
    return comment
