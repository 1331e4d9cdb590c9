"""Highlight a comment ("Highlighted by the moderator", shown first under its question) and undo it."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Comment
from discussions.moderation._common import locked, mark_moderated, state
from discussions.permissions import check_moderate_comment
from hub.audit import audit_log


@transaction.atomic
def comment_highlight(*, actor, comment: Comment) -> Comment:
    """Only a published comment can be highlighted."""
    check_moderate_comment(actor, comment)
    comment = locked(comment)
    if comment.status != Comment.Status.PUBLISHED:
        raise ValidationError(_("Only a published comment can be highlighted."))
    if comment.highlighted:
        return comment
    before = state(comment)
    comment.highlighted = True
    comment.save(update_fields=["highlighted", *mark_moderated(comment, actor, timezone.now())])
    audit_log(actor=actor, action="comment.highlight", target=comment, before=before, after=state(comment))
    return comment


@transaction.atomic
def comment_unhighlight(*, actor, comment: Comment) -> Comment:
    """Removing the highlight leaves the comment published where it was."""
    check_moderate_comment(actor, comment)
    comment = locked(comment)
    if not comment.highlighted:
        return comment
    before = state(comment)
    comment.highlighted = False
    comment.save(update_fields=["highlighted", *mark_moderated(comment, actor, timezone.now())])
    audit_log(actor=actor, action="comment.unhighlight", target=comment, before=before, after=state(comment))
    return comment
