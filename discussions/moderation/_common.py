"""What every moderation verb on a comment shares: the row lock, the snapshot written to the audit log. (The guard
is discussions.permissions.check_moderate_comment.)"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Comment, Flag
from hub.selectors import profile_for_user


def locked(comment: Comment) -> Comment:
    """The comment's row re-read under a lock, so two moderators deciding at once cannot both win."""
    fresh = Comment.objects.select_for_update().get(pk=comment.pk)
    fresh.discussion = comment.discussion
    return fresh


def state(comment: Comment) -> dict:
    """The fields a moderation action can change, as the audit log's before/after."""
    return {
        "status": comment.status,
        "highlighted": comment.highlighted,
        "hidden_reason": comment.hidden_reason,
        "decline_reason": comment.decline_reason,
    }


def mark_moderated(comment: Comment, actor, now=None) -> list[str]:
    comment.moderated_by = actor
    comment.moderated_at = now or timezone.now()
    return ["moderated_by", "moderated_at"]


def resolve_flags(comment: Comment, actor, now=None) -> int:
    """A moderator's decision answers every open report on the comment."""
    return Flag.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=now or timezone.now(), resolved_by=actor)


def actor_name(user) -> str:
    profile = profile_for_user(user)
    return (profile.display_name if profile else "") or user.get_username()


def require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give a reason.")})
    return reason
