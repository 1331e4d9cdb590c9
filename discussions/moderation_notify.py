"""E-mails about moderation: to the author on publish, decline and moderator edit, and to moderators a digest of
what waits in their queue - at most one e-mail per moderator every 15 minutes.

The digest keeps no state of its own: each digest sent is an entry in the audit log ("moderation.digest", target
the moderator), whose time says when the next one may go and which items the last one already listed. A comment
or report arriving triggers the digest at once when it is due; the `send_moderation_digest` command (cron, every
few minutes) sends what arrived during the quiet period.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from discussions import notifications
from discussions.models import Comment, Discussion, Flag
from discussions.permissions import in_moderation_scope
from hub.audit import audit_log
from hub.models import AuditEntry
from hub.roles import MODERATORS

log = logging.getLogger(__name__)

DIGEST_INTERVAL = timedelta(minutes=15)
DIGEST_ACTION = "moderation.digest"
DIGEST_MAX_ITEMS = 50


def site_url(path: str) -> str:
    """An absolute link for e-mails, on the same base as every other notification."""
    return notifications.site_url() + path


def _public_link(comment: Comment) -> str:
    return site_url(comment.get_absolute_url())


def _send(to: str, subject: str, template: str, context: dict) -> None:
    if not to:
        return
    body = render_to_string(template, {"site_name": settings.HUB_SITE_NAME, **context})
    mail = EmailMessage(subject=f"[{settings.HUB_SITE_NAME}] {subject}", body=body, to=[to])
    transaction.on_commit(lambda: mail.send(fail_silently=False))


def _author_email(comment: Comment) -> str:
    author = comment.author
    return author.email if author is not None and author.is_active else ""


# --- The author ------------------------------------------------------------------------------------------------

def author_published(comment: Comment) -> None:
    """Tell the author their comment is public now."""
    _send(_author_email(comment), _("Your comment is published"), "discussions/email/moderation_published.txt",
          {"comment": comment, "discussion": comment.discussion, "link": _public_link(comment)})


def author_declined(comment: Comment) -> None:
    """Tell the author their comment was declined, and why."""
    _send(_author_email(comment), _("Your comment was not published"), "discussions/email/moderation_declined.txt",
          {"comment": comment, "discussion": comment.discussion, "reason": comment.decline_reason})


def author_edited(comment: Comment, reason: str) -> None:
    """Tell the author a moderator changed their text, and why."""
    _send(_author_email(comment), _("A moderator edited your comment"), "discussions/email/moderation_edited.txt",
          {"comment": comment, "discussion": comment.discussion, "reason": reason, "link": _public_link(comment)})


# --- Followers (the public side's notifications) -------------------------------------------------------------

def followers_comment_published(comment: Comment) -> None:
    """A comment became public for the first time: the reply e-mails of discussions.notifications go out."""
    from discussions import notifications

    notifications.notify_comment_published(comment)


# --- Moderators: the batched digest ------------------------------------------------------------------------------

def comment_awaits_review(comment: Comment) -> None:
    """Call when a comment starts waiting (posted pending, edited back to review, reported): after commit, the
    moderators of its discussion whose digest is due get one now."""
    discussion = comment.discussion

    def send() -> None:
        try:
            send_due_digests(discussion=discussion)
        except Exception:  # a mail failure must never undo or break the post that triggered it
            log.exception("Moderation digest failed")

    transaction.on_commit(send)


def moderators_of(discussion: Discussion | None = None):
    """Site moderators plus the discussion's own moderators (or every per-discussion moderator), active, with e-mail."""
    User = get_user_model()
    condition = Q(groups__name=MODERATORS)
    condition |= Q(moderated_discussions=discussion) if discussion is not None else Q(moderated_discussions__isnull=False)
    return User.objects.filter(condition, is_active=True).exclude(email="").distinct().order_by("pk")


@dataclass
class Digest:
    comments: list[Comment] = field(default_factory=list)
    reported: list[Comment] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.comments or self.reported)


def last_digest(moderator) -> AuditEntry | None:
    return (AuditEntry.objects.filter(action=DIGEST_ACTION, target_type=ContentType.objects.get_for_model(moderator),
                                      target_id=str(moderator.pk)).order_by("-created_at", "-id").first())


def _sent_at(entry: AuditEntry | None) -> datetime | None:
    if entry is None:
        return None
    return parse_datetime(entry.after.get("sent_at", "")) or entry.created_at


def digest_for(moderator, since: datetime | None) -> Digest:
    """New items in the moderator's discussions since the last digest (everything waiting if there was none)."""
    scope = in_moderation_scope(moderator)
    pending = Comment.objects.filter(scope, status=Comment.Status.PENDING)
    flags = Flag.objects.filter(resolved_at__isnull=True, comment__in=Comment.objects.filter(scope))
    if since is not None:
        pending = pending.filter(created_at__gt=since)
        flags = flags.filter(created_at__gt=since)
    reported_ids = set(flags.values_list("comment_id", flat=True))
    related = ("discussion", "question")
    return Digest(
        comments=list(pending.select_related(*related).order_by("created_at", "id")[:DIGEST_MAX_ITEMS]),
        reported=list(Comment.objects.filter(pk__in=reported_ids).select_related(*related)
                      .order_by("created_at", "id")[:DIGEST_MAX_ITEMS]),
    )


def send_digest_if_due(moderator, *, now: datetime | None = None) -> bool:
    """Send one digest if the last was 15 minutes ago or more and something new waits; True if sent."""
    now = now or timezone.now()
    with transaction.atomic():
        # One digest at a time per moderator, even when two comments arrive together.
        get_user_model().objects.select_for_update().filter(pk=moderator.pk).first()
        previous = _sent_at(last_digest(moderator))
        if previous is not None and now - previous < DIGEST_INTERVAL:
            return False
        digest = digest_for(moderator, previous)
        if not digest:
            return False
        items = [{"comment": c, "link": site_url(reverse("discussions:comment-moderate", kwargs={"pk": c.pk}))}
                 for c in digest.comments]
        reported = [{"comment": c, "link": site_url(reverse("discussions:comment-moderate", kwargs={"pk": c.pk}))}
                    for c in digest.reported]
        count = len(items) + len(reported)
        _send(moderator.email, _("%(count)d new item(s) in your moderation queue") % {"count": count},
              "discussions/email/moderation_digest.txt",
              {"items": items, "reported": reported, "queue_link": site_url(reverse("discussions:moderation-queue")),
               "moderator": moderator})
        audit_log(actor=None, action=DIGEST_ACTION, target=moderator,
                  after={"sent_at": now.isoformat(), "comments": [c.pk for c in digest.comments],
                         "reported": [c.pk for c in digest.reported]})
    return True


def send_due_digests(*, discussion: Discussion | None = None, now: datetime | None = None) -> int:
    """Send every digest that is due (for one discussion's moderators, or all); returns how many went out."""
    return sum(send_digest_if_due(moderator, now=now) for moderator in moderators_of(discussion))
