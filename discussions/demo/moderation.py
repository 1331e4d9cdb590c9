"""Moderation demo data, run after the demo consultation (consultation.py): it leaves that consultation with
comments waiting in the queue (its pending ones), one reported comment, one hidden and one highlighted comment.

It works on whatever discussion has the demo's slug and does nothing if there is none. Actions go through the
moderation services, so the audit log shows them; on a second run an action already in the log is restored
without a new entry (the demo consultation resets comment statuses on every run).
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from discussions import moderation as mod
from discussions.demo.consultation import AMINA, MODERATOR, RICHARD, SLUG, UNION
from discussions.models import Comment, Discussion, Flag
from discussions.moderation.selectors import audit_for_object
from hub.roles import MODERATORS

READER_EMAILS = [UNION, AMINA, RICHARD]
HIDE_REASON = "It named a private person; the point it made is kept in the replies (demo)."


def _already(comment: Comment, action: str) -> bool:
    return audit_for_object(comment).filter(action=action).exists()


@transaction.atomic
def load(stdout, style) -> None:
    """Report one comment, hide one and highlight one in the demo consultation."""
    discussion = Discussion.objects.filter(slug=SLUG).first()
    User = get_user_model()
    moderator = User.objects.filter(email__iexact=MODERATOR).first()
    if moderator is None:
        moderator = User.objects.filter(groups__name=MODERATORS, is_active=True).order_by("pk").first()
    if discussion is None or moderator is None:
        stdout.write("Moderation demo skipped: no demo discussion or moderator account.")
        return
    discussion.moderators.add(moderator)
    # Hidden ones count too, so a second run picks the same comments as the first (the demo stays idempotent).
    published = list(Comment.objects.filter(discussion=discussion,
                                            status__in=[Comment.Status.PUBLISHED, Comment.Status.HIDDEN])
                     .select_related("discussion").order_by("created_at", "id"))
    answers = [c for c in published if c.parent_id is None and c.question_id]
    replies = [c for c in published if c.parent_id is not None]
    done = []
    highlighted = answers[0] if answers else None
    if highlighted is not None:
        _highlight(highlighted, moderator=moderator)
        done.append(f"highlighted #{highlighted.pk}")
    hidden = next((c for c in replies if c != highlighted), None)
    if hidden is not None:
        _hide(hidden, moderator=moderator)
        done.append(f"hidden #{hidden.pk}")
    flagged = next((c for c in answers[1:] if c != hidden), None)
    if flagged is not None and _report(flagged, readers=User.objects.filter(email__in=READER_EMAILS).order_by("pk")):
        done.append(f"reported #{flagged.pk}")
    waiting = Comment.objects.filter(discussion=discussion, status=Comment.Status.PENDING).count()
    stdout.write(style.SUCCESS(f"Moderation demo: {', '.join(done) or 'nothing to curate'}; "
                               f"{waiting} comment(s) wait in the queue (/discussions/moderation/)."))


def _highlight(comment: Comment, *, moderator) -> None:
    if _already(comment, "comment.highlight"):
        Comment.objects.filter(pk=comment.pk).update(highlighted=True)
    else:
        mod.comment_highlight(actor=moderator, comment=comment)


def _hide(comment: Comment, *, moderator) -> None:
    if _already(comment, "comment.hide"):
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN, hidden_reason=HIDE_REASON,
                                                     highlighted=False)
    else:
        mod.comment_hide(actor=moderator, comment=comment, reason=HIDE_REASON)


def _report(comment: Comment, *, readers) -> bool:
    """One demo reader (not its author) reports the comment; False when no demo reader is there to do it. The
    readers come in a fixed order, so a second run picks the same reporter (PostgreSQL returns rows unordered)."""
    reporter = next((u for u in readers if u.pk != comment.author_id), None)
    if reporter is None:
        return False
    if not Flag.objects.filter(comment=comment, reporter=reporter).exists():
        try:
            mod.comment_flag(actor=reporter, comment=comment, reason="off_topic",
                             details="This is about a different consultation, I think (demo report).")
        except ValidationError:
            pass
    else:
        Flag.objects.filter(comment=comment, reporter=reporter).update(resolved_at=None, resolved_by=None)
    return True
