"""Internal notes moderators leave on a comment; never shown to its author or the public."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from discussions.models import Comment, ModeratorNote
from discussions.moderation._common import actor_name
from discussions.permissions import check_moderate_comment
from hub.audit import audit_log

MAX_NOTE = 2000


@transaction.atomic
def moderator_note_add(*, actor, comment: Comment, body: str) -> ModeratorNote:
    """Only the discussion's moderators write (and read) notes."""
    check_moderate_comment(actor, comment)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    if len(body) > MAX_NOTE:
        raise ValidationError({"body": _("A note has at most %(max)d characters.") % {"max": MAX_NOTE}})
    note = ModeratorNote.objects.create(comment=comment, author=actor, author_name=actor_name(actor), body=body)
    audit_log(actor=actor, action="comment.note", target=comment, after={"note": body})
    return note
