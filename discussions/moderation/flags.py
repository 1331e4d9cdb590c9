"""Readers report a published comment; enough distinct reports hide it until a moderator decides."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import moderation_notify
from discussions.models import Comment, Flag
from discussions.moderation._common import guard_comment, locked, mark_moderated, resolve_flags, state
from discussions.permissions import check_view_comment
from hub.audit import audit_log

MAX_DETAILS = 1000


def auto_hide_reason() -> str:
    return _("Reported by several readers; it stays hidden until a moderator has looked at it.")


def can_flag_comment(user, comment: Comment) -> bool:
    """Any signed-in reader may report a published comment of someone else."""
    return bool(getattr(user, "is_authenticated", False) and comment.status == Comment.Status.PUBLISHED
                and comment.author_id != user.pk)


@transaction.atomic
def comment_flag(*, actor, comment: Comment, reason: str, details: str = "") -> Flag:
    """One report per reader and comment; at the discussion's threshold of open reports the comment is hidden."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to report a comment."))
    check_view_comment(actor, comment)
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    details = (details or "").strip()
    if len(details) > MAX_DETAILS:
        raise ValidationError({"details": _("At most %(max)d characters.") % {"max": MAX_DETAILS}})
    if reason == Flag.Reason.OTHER and not details:
        raise ValidationError({"details": _("Say what is wrong with this comment.")})
    comment = locked(comment)
    if comment.author_id == actor.pk:
        raise ValidationError(_("You cannot report your own comment."))
    if comment.status != Comment.Status.PUBLISHED:
        raise ValidationError(_("Only a published comment can be reported."))
    if Flag.objects.filter(comment=comment, reporter=actor).exists():
        raise ValidationError(_("You have already reported this comment."))
    flag = Flag.objects.create(comment=comment, reporter=actor, reason=reason, details=details)
    audit_log(actor=actor, action="comment.flag", target=comment, after={"reason": reason, "details": details})
    threshold = comment.discussion.auto_hide_flags
    open_reports = Flag.objects.filter(comment=comment, resolved_at__isnull=True).count()
    if threshold and open_reports >= threshold:
        before = state(comment)
        comment.status = Comment.Status.HIDDEN
        comment.hidden_reason = auto_hide_reason()
        comment.highlighted = False
        # No moderator decided this: moderated_by stays empty, which is how a dismissal knows to show it again.
        comment.moderated_by = None
        comment.moderated_at = timezone.now()
        comment.save(update_fields=["status", "hidden_reason", "highlighted", "moderated_by", "moderated_at"])
        audit_log(actor=None, action="comment.auto_hide", target=comment, before=before, after=state(comment),
                  reason=_("%(count)d distinct reports (threshold %(threshold)d).") % {
                      "count": open_reports, "threshold": threshold})
    moderation_notify.comment_awaits_review(comment)
    return flag


@transaction.atomic
def comment_flags_dismiss(*, actor, comment: Comment, reason: str = "") -> Comment:
    """The moderator keeps the comment: open reports are answered and a comment hidden by reports is shown again."""
    guard_comment(actor, comment)
    comment = locked(comment)
    now = timezone.now()
    before = state(comment)
    answered = resolve_flags(comment, actor, now)
    if not answered:
        raise ValidationError(_("This comment has no open reports."))
    hidden_by_reports = comment.status == Comment.Status.HIDDEN and comment.moderated_by_id is None
    fields = mark_moderated(comment, actor, now)
    if hidden_by_reports:
        comment.status = Comment.Status.PUBLISHED
        comment.hidden_reason = ""
        fields += ["status", "hidden_reason"]
    comment.save(update_fields=fields)
    audit_log(actor=actor, action="comment.flags_dismiss", target=comment, before=before,
              after={**state(comment), "reports_answered": answered}, reason=reason.strip())
    return comment
