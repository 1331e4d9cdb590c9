"""A moderator changes a comment's text (the earlier text is kept) or its priorities and working groups."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import notifications
from discussions.models import Comment, CommentVersion
from discussions.moderation._common import actor_name, locked, mark_moderated, require_reason
from discussions.permissions import check_moderate_comment
from discussions.rendering import display_copies
from discussions.services import BodyFormat, body_to_html
from hub.audit import audit_log
from workplan.models import Priority, WorkingGroup


@transaction.atomic
def comment_moderator_edit(*, actor, comment: Comment, body: str, reason: str,
                           body_format: str = BodyFormat.HTML) -> Comment:
    """A moderator's edit needs a reason; the text passes the same cleaning and limits as the author's own; the
    previous text becomes a version and the author is told."""
    check_moderate_comment(actor, comment)
    reason = require_reason(reason)
    body, text = body_to_html(body, body_format=body_format)
    comment = locked(comment)
    if comment.status == Comment.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn comment cannot be edited."))
    if body == comment.body:
        raise ValidationError({"body": _("The text is unchanged.")})
    now = timezone.now()
    CommentVersion.objects.create(comment=comment, body=comment.body, edited_by=actor, edited_by_name=actor_name(actor),
                                  by_moderator=True, reason=reason, created_at=now)
    before = {"body": comment.body}
    comment.body = body
    comment.body_text = text
    comment.body_display = display_copies(body, comment.discussion)
    comment.edit_count += 1
    comment.edited_at = now
    comment.save(update_fields=["body", "body_text", "body_display", "edit_count", "edited_at",
                                *mark_moderated(comment, actor, now)])
    audit_log(actor=actor, action="comment.moderator_edit", target=comment, before=before, after={"body": body},
              reason=reason)
    notifications.author_edited(comment, reason)
    return comment


@transaction.atomic
def comment_retag(*, actor, comment: Comment, priorities: list[Priority], working_groups: list[WorkingGroup],
                  reason: str = "") -> Comment:
    """Tags come from the discussion's own workplan; the change is logged with the codes before and after."""
    check_moderate_comment(actor, comment)
    workplan_id = comment.discussion.workplan_id
    if any(p.workplan_id != workplan_id for p in priorities) or any(g.workplan_id != workplan_id for g in working_groups):
        raise ValidationError(_("Choose priorities and working groups of this discussion's workplan."))
    comment = locked(comment)
    before = {"priorities": sorted(p.code for p in comment.priorities.all()),
              "working_groups": sorted(g.slug for g in comment.working_groups.all())}
    comment.priorities.set(priorities)
    comment.working_groups.set(working_groups)
    after = {"priorities": sorted(p.code for p in priorities), "working_groups": sorted(g.slug for g in working_groups)}
    if before != after:
        audit_log(actor=actor, action="comment.retag", target=comment, before=before, after=after, reason=reason.strip())
    return comment
