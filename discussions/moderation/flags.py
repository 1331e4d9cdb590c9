"""Readers report a published comment; enough distinct reports from established accounts hide it until a moderator
decides. Who may report, and whose report counts, is decided in discussions.permissions."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import notifications
from discussions.models import Comment, Flag
from discussions.moderation._common import locked, mark_moderated, resolve_flags, state
from discussions.permissions import check_flag_comment, check_moderate_comment, counts_toward_auto_hide
from hub import ratelimit
from hub.audit import audit_log

MAX_DETAILS = 1000


def auto_hide_reason() -> str:
    return _("Reported by several readers; it stays hidden until a moderator has looked at it.")


def flag_rate_limit() -> str:
    return settings.HUB_FLAG_RATE_LIMIT


def rate_limited_message() -> str:
    return _("You have sent many reports in a short time. Please wait a while before reporting again; the "
             "moderators have your earlier reports.")


@transaction.atomic
def comment_flag(*, actor, comment: Comment, reason: str, details: str = "") -> Flag:
    """One report per reader and comment, and at most HUB_FLAG_RATE_LIMIT reports per reader. At the discussion's
    threshold of open reports from established accounts the comment is hidden until a moderator decides; reports
    from new accounts wait for the moderator without hiding anything."""
    check_flag_comment(actor, comment)
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    details = (details or "").strip()
    if len(details) > MAX_DETAILS:
        raise ValidationError({"details": _("At most %(max)d characters.") % {"max": MAX_DETAILS}})
    if reason == Flag.Reason.OTHER and not details:
        raise ValidationError({"details": _("Say what is wrong with this comment.")})
    comment = locked(comment)
    if comment.status != Comment.Status.PUBLISHED:  # a moderator decided while the reader was writing
        raise ValidationError(_("Only a published comment can be reported."))
    if Flag.objects.filter(comment=comment, reporter=actor).exists():
        raise ValidationError(_("You have already reported this comment."))
    # Counted last, so that a refused report (a duplicate, a missing detail) does not use up the reader's allowance.
    if not ratelimit.allow("flag", f"u{actor.pk}", flag_rate_limit()):
        raise ValidationError(rate_limited_message(), code="rate_limited")
    counts = counts_toward_auto_hide(actor)
    flag = Flag.objects.create(comment=comment, reporter=actor, reason=reason, details=details,
                               counts_toward_auto_hide=counts)
    audit_log(actor=actor, action="comment.flag", target=comment,
              after={"reason": reason, "details": details, "counts_toward_auto_hide": counts})
    _hide_at_threshold(comment)
    notifications.comment_awaits_review(comment)
    return flag


def _hide_at_threshold(comment: Comment) -> None:
    """At the discussion's threshold of open reports from established accounts, the comment (locked by the caller)
    is hidden until a moderator decides."""
    threshold = comment.discussion.auto_hide_flags
    counted = Flag.objects.filter(comment=comment, resolved_at__isnull=True, counts_toward_auto_hide=True).count()
    if not threshold or counted < threshold:
        return
    before = state(comment)
    comment.status = Comment.Status.HIDDEN
    comment.hidden_reason = auto_hide_reason()
    comment.highlighted = False
    # No moderator decided this: moderated_by stays empty, which is how a dismissal knows to show it again.
    comment.moderated_by = None
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "hidden_reason", "highlighted", "moderated_by", "moderated_at"])
    audit_log(actor=None, action="comment.auto_hide", target=comment, before=before, after=state(comment),
              reason=_("%(count)d distinct reports from established accounts (threshold %(threshold)d).") % {
                  "count": counted, "threshold": threshold})


@transaction.atomic
def comment_flags_dismiss(*, actor, comment: Comment, reason: str = "") -> Comment:
    """The moderator keeps the comment: open reports are answered and a comment hidden by reports is shown again."""
    check_moderate_comment(actor, comment)
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
