"""Every e-mail of discussions: to followers (a reply to my comment was published, a new question was posted), to
authors (their comment was published, declined or edited by a moderator) and to moderators (a digest of what waits
in their queue).

Callers are services inside a transaction: every mail leaves only once that transaction commits, and a mail that
cannot be sent is logged, never turned into an error for the action that caused it (hub.mail). Each e-mail is one
function here, so that a task queue can take them over one by one. Links are absolute, on HUB_SITE_URL.

Follower e-mails carry a signed unsubscribe link (and the List-Unsubscribe headers of RFC 2369/8058): opening it
asks for confirmation, a POST to it (the button there, or a mail client's one-click) unsubscribes.

The moderators' digest keeps no state of its own: each digest sent is an entry in the audit log
("moderation.digest", target the moderator), whose time says when the next one may go and which items the last one
already listed. A comment or report arriving triggers the digest at once when it is due; the
`send_moderation_digest` command (cron, every few minutes) sends what arrived during the quiet period - at most one
e-mail per moderator every 15 minutes.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils import translation
from django.utils.translation import gettext as _, ngettext

from discussions.models import Comment, Discussion, Flag, Question, Subscription
from discussions.permissions import in_moderation_scope
from hub.languages import preferred_language
from hub.audit import audit_log
from hub.mail import header_text, send_on_commit
from hub.models import AuditEntry
from hub.roles import MODERATORS

log = logging.getLogger(__name__)

_SALT = "discussions.unsubscribe"


def unsubscribe_token(*, user_id: int, discussion_id: int) -> str:
    """A token that lets its holder stop this user following this discussion, and nothing else."""
    return signing.dumps({"u": user_id, "d": discussion_id}, salt=_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(user id, discussion id) from a token, or None when it was tampered with."""
    try:
        data = signing.loads(token, salt=_SALT)
        return int(data["u"]), int(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def site_url(path: str = "") -> str:
    """The absolute address of `path` for e-mails, on HUB_SITE_URL (without a trailing slash)."""
    return settings.HUB_SITE_URL.rstrip("/") + path


def _send(*, to: str, subject: str, template: str, context: dict, headers: dict | None = None) -> None:
    """Render one e-mail and send it once the current transaction commits; a failure is logged, not raised."""
    if not to:
        return
    body = render_to_string(template, {"site_name": settings.HUB_SITE_NAME, "site_url": site_url(), **context})
    send_on_commit(EmailMessage(subject=header_text(f"[{settings.HUB_SITE_NAME}] {subject}"), body=body, to=[to],
                                headers=headers or {}))


# --- Followers -----------------------------------------------------------------------------------------------------

def _send_to_follower(*, user, discussion, subject: str, template: str, context: dict) -> None:
    unsubscribe_url = site_url(reverse("discussions:unsubscribe", kwargs={
        "token": unsubscribe_token(user_id=user.pk, discussion_id=discussion.pk)}))
    # RFC 2369 and 8058: mail clients show an unsubscribe button that POSTs "List-Unsubscribe=One-Click" to the
    # link (the view acts on POST only; a plain GET, as mail scanners send, just asks).
    _send(to=user.email, subject=subject, template=template,
          context={**context, "discussion": discussion, "unsubscribe_url": unsubscribe_url},
          headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def _send_reply_notice(comment_id: int) -> None:
    comment = (Comment.objects.select_related("discussion", "parent__author__profile", "question")
               .filter(pk=comment_id, status=Comment.Status.PUBLISHED).first())
    if comment is None or comment.parent is None:
        return
    recipient = comment.parent.author
    if recipient is None or not recipient.email or not recipient.is_active or recipient.pk == comment.author_id:
        return
    if not Subscription.objects.filter(user=recipient, discussion=comment.discussion).exists():
        return
    with translation.override(preferred_language(recipient)):
        _send_to_follower(user=recipient, discussion=comment.discussion,
                          subject=_("%(name)s replied to your comment") % {"name": comment.shown_name},
                          template="discussions/email/reply_published.txt",
                          context={"comment": comment, "comment_url": site_url(comment.get_absolute_url())})


def notify_comment_published(comment: Comment) -> None:
    """Call whenever a comment becomes published for the first time (at posting under post-moderation, or when a
    moderator approves it): the author of the comment it replies to hears of it, if they follow the discussion."""
    if comment.parent_id is None:
        return
    comment_id = comment.pk
    transaction.on_commit(lambda: _send_reply_notice(comment_id))


def _send_question_notices(question_id: int) -> None:
    question = Question.objects.select_related("discussion").filter(pk=question_id).first()
    if question is None:
        return
    subscriptions = (Subscription.objects.filter(discussion=question.discussion, user__is_active=True)
                     .select_related("user", "user__profile").exclude(user__email=""))
    for subscription in subscriptions:
        if subscription.user_id == question.posted_by_id:
            continue
        # One mail each, each sent (or its failure logged) on its own: one refused address or odd name must not
        # stop the other followers' mail.
        with translation.override(preferred_language(subscription.user)):
            _send_to_follower(user=subscription.user, discussion=question.discussion,
                              subject=_("New question in “%(title)s”") % {"title": question.discussion.title},
                              template="discussions/email/question_posted.txt",
                              context={"question": question, "question_url": site_url(question.get_absolute_url())})


def notify_question_posted(question: Question) -> None:
    """Every follower of the discussion hears of a new question, once the transaction commits."""
    question_id = question.pk
    transaction.on_commit(lambda: _send_question_notices(question_id))


# --- The author of a comment a moderator decided on ------------------------------------------------------------

def _author_email(comment: Comment) -> str:
    author = comment.author
    return author.email if author is not None and author.is_active else ""


def author_published(comment: Comment) -> None:
    """Tell the author their comment is public now."""
    with translation.override(preferred_language(comment.author)):
        _send(to=_author_email(comment), subject=_("Your comment is published"),
              template="discussions/email/moderation_published.txt",
              context={"comment": comment, "discussion": comment.discussion, "link": site_url(comment.get_absolute_url())})


def author_declined(comment: Comment) -> None:
    """Tell the author their comment was declined, and why."""
    with translation.override(preferred_language(comment.author)):
        _send(to=_author_email(comment), subject=_("Your comment was not published"),
              template="discussions/email/moderation_declined.txt",
              context={"comment": comment, "discussion": comment.discussion, "reason": comment.decline_reason})


def author_edited(comment: Comment, reason: str) -> None:
    """Tell the author a moderator changed their text, and why."""
    with translation.override(preferred_language(comment.author)):
        _send(to=_author_email(comment), subject=_("A moderator edited your comment"),
              template="discussions/email/moderation_edited.txt",
              context={"comment": comment, "discussion": comment.discussion, "reason": reason,
                       "link": site_url(comment.get_absolute_url())})


# --- Moderators: the batched digest ------------------------------------------------------------------------------

DIGEST_INTERVAL = timedelta(minutes=15)
DIGEST_ACTION = "moderation.digest"
DIGEST_MAX_ITEMS = 50


def comment_awaits_review(comment: Comment) -> None:
    """Call when a comment starts waiting (posted pending, edited back to review, reported): after commit, the
    moderators of its discussion whose digest is due get one now."""
    discussion = comment.discussion

    def send() -> None:
        try:
            send_due_digests(discussion=discussion)
        except Exception:  # noqa: BLE001 - a failed digest must never undo or break the post that triggered it
            log.exception("Moderation digest failed")

    transaction.on_commit(send)


def _moderators_of(discussion: Discussion | None = None):
    """Site moderators plus the discussion's own moderators (or every per-discussion moderator), active, with e-mail."""
    listed = Q(moderated_discussions=discussion) if discussion is not None else Q(moderated_discussions__isnull=False)
    condition = Q(groups__name=MODERATORS) | listed
    return get_user_model().objects.filter(condition, is_active=True).exclude(email="").distinct().order_by("pk")


@dataclass
class _Digest:
    comments: list[Comment] = field(default_factory=list)
    reported: list[Comment] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.comments or self.reported)


def _last_digest_sent_at(moderator) -> datetime | None:
    entry = (AuditEntry.objects.filter(action=DIGEST_ACTION, target_type=ContentType.objects.get_for_model(moderator),
                                       target_id=str(moderator.pk)).order_by("-created_at", "-id").first())
    if entry is None:
        return None
    return parse_datetime(entry.after.get("sent_at", "")) or entry.created_at


def _digest_for(moderator, since: datetime | None) -> _Digest:
    """New items in the moderator's discussions since the last digest (everything waiting if there was none)."""
    scope = in_moderation_scope(moderator)
    pending = Comment.objects.filter(scope, status=Comment.Status.PENDING)
    flags = Flag.objects.filter(resolved_at__isnull=True, comment__in=Comment.objects.filter(scope))
    if since is not None:
        pending = pending.filter(created_at__gt=since)
        flags = flags.filter(created_at__gt=since)
    reported_ids = set(flags.values_list("comment_id", flat=True))
    related = ("discussion", "question")
    return _Digest(
        comments=list(pending.select_related(*related).order_by("created_at", "id")[:DIGEST_MAX_ITEMS]),
        reported=list(Comment.objects.filter(pk__in=reported_ids).select_related(*related)
                      .order_by("created_at", "id")[:DIGEST_MAX_ITEMS]),
    )


def _send_digest(moderator, digest: _Digest) -> None:
    def items(comments: list[Comment]) -> list[dict]:
        return [{"comment": c, "link": site_url(reverse("discussions:comment-moderate", kwargs={"pk": c.pk}))}
                for c in comments]

    count = len(digest.comments) + len(digest.reported)
    with translation.override(preferred_language(moderator)):
        subject = ngettext("%(count)d new item in your moderation queue",
                           "%(count)d new items in your moderation queue", count) % {"count": count}
        _send(to=moderator.email, subject=subject, template="discussions/email/moderation_digest.txt",
              context={"items": items(digest.comments), "reported": items(digest.reported),
                       "queue_link": site_url(reverse("discussions:moderation-queue")), "moderator": moderator})


def send_digest_if_due(moderator, *, now: datetime | None = None) -> bool:
    """Send one digest if the last was 15 minutes ago or more and something new waits; True if sent."""
    now = now or timezone.now()
    with transaction.atomic():
        # One digest at a time per moderator, even when two comments arrive together.
        get_user_model().objects.select_for_update().filter(pk=moderator.pk).first()
        previous = _last_digest_sent_at(moderator)
        if previous is not None and now - previous < DIGEST_INTERVAL:
            return False
        digest = _digest_for(moderator, previous)
        if not digest:
            return False
        _send_digest(moderator, digest)
        audit_log(actor=None, action=DIGEST_ACTION, target=moderator,
                  after={"sent_at": now.isoformat(), "comments": [c.pk for c in digest.comments],
                         "reported": [c.pk for c in digest.reported]})
    return True


def send_due_digests(*, discussion: Discussion | None = None, now: datetime | None = None) -> int:
    """Send every digest that is due (for one discussion's moderators, or all); returns how many went out."""
    return sum(send_digest_if_due(moderator, now=now) for moderator in _moderators_of(discussion))
