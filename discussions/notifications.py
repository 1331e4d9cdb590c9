"""Every e-mail of discussions: to followers (a reply to my comment was published, a new question was posted, the
discussion opened, closes in three days, closed), to authors (their comment was published, declined or edited by a
moderator) and to moderators (a digest of what waits in their queue).

Callers are services inside a transaction: every mail is a task of the queue (hub.mail) that leaves only once that
transaction commits, is retried while the mail server is down, and is never turned into an error for the action that
caused it. Links are absolute, on HUB_SITE_URL (hub.http.absolute_url).

A notice to every follower is ONE task (discussions.tasks.notify_followers) carrying ids: the worker reads the
followers in batches of HUB_MAIL_BATCH_SIZE, writes each mail in the follower's language (their profile's, else the
site's), and sends each batch over one connection to the mail server. The request never reads the followers.

Follower e-mails carry a signed unsubscribe link (and the List-Unsubscribe headers of RFC 2369/8058): opening it
asks for confirmation, a POST to it (the button there, or a mail client's one-click) unsubscribes.

The moderators' digest keeps no state of its own: each digest sent is an entry in the audit log
("moderation.digest", target the moderator), whose time says when the next one may go and which items the last one
already listed. A comment or report arriving triggers the digest at once when it is due; the
beat schedule (discussions.tasks.send_moderation_digests, every five minutes; the `send_moderation_digest` command
does the same) sends what arrived during the quiet period - at most one e-mail per moderator every 15 minutes.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _, ngettext

from discussions.models import Comment, Discussion, Flag, Question, Subscription
from discussions.permissions import in_moderation_scope
from hub.languages import preferred_language
from hub.audit import audit_log
from hub.http import absolute_url
from hub.mail import header_text, message_to_payload, queue_payloads, send_on_commit, send_payloads
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
    return absolute_url(path)


def _message(*, to: str, subject: str, template: str, context: dict, headers: dict | None = None) -> EmailMessage:
    body = render_to_string(template, {"site_name": settings.HUB_SITE_NAME, "site_url": site_url(), **context})
    return EmailMessage(subject=header_text(f"[{settings.HUB_SITE_NAME}] {subject}"), body=body, to=[to],
                        headers=headers or {})


def _send(*, to: str, subject: str, template: str, context: dict, headers: dict | None = None) -> None:
    """Render one e-mail and queue it once the current transaction commits; a failure is retried and logged, never
    raised."""
    if not to:
        return
    send_on_commit(_message(to=to, subject=subject, template=template, context=context, headers=headers))


# --- Followers -----------------------------------------------------------------------------------------------------

def _unsubscribe_headers(unsubscribe_url: str) -> dict:
    # RFC 2369 and 8058: mail clients show an unsubscribe button that POSTs "List-Unsubscribe=One-Click" to the
    # link (the view acts on POST only; a plain GET, as mail scanners send, just asks).
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _follower_message(*, user, discussion, subject: str, template: str, context: dict) -> EmailMessage:
    unsubscribe_url = site_url(reverse("discussions:unsubscribe", kwargs={
        "token": unsubscribe_token(user_id=user.pk, discussion_id=discussion.pk)}))
    return _message(to=user.email, subject=subject, template=template,
                    context={**context, "discussion": discussion, "unsubscribe_url": unsubscribe_url},
                    headers=_unsubscribe_headers(unsubscribe_url))


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
        message = _follower_message(
            user=recipient, discussion=comment.discussion,
            subject=_("%(name)s replied to your comment") % {"name": comment.shown_name},
            template="discussions/email/reply_published.txt",
            context={"comment": comment, "comment_url": site_url(comment.get_absolute_url())})
    send_on_commit(message)


def notify_comment_published(comment: Comment) -> None:
    """Call whenever a comment becomes published for the first time (at posting under post-moderation, or when a
    moderator approves it): the author of the comment it replies to hears of it, if they follow the discussion."""
    if comment.parent_id is None:
        return
    comment_id = comment.pk
    transaction.on_commit(lambda: _send_reply_notice(comment_id), robust=True)


# --- Every follower of a discussion: one task, batches in the worker --------------------------------------------

QUESTION_POSTED = "question_posted"
DISCUSSION_OPENED = "discussion_opened"
DISCUSSION_CLOSING = "discussion_closing"
DISCUSSION_CLOSED = "discussion_closed"


def _question_notice(question: Question | None):
    if question is None:
        return None
    return {"subject": lambda d: _("New question in “%(title)s”") % {"title": d.title},
            "template": "discussions/email/question_posted.txt",
            "context": {"question": question, "question_url": site_url(question.get_absolute_url())}}


def _date_notice(kind: str, discussion: Discussion):
    subjects = {
        DISCUSSION_OPENED: lambda d: _("“%(title)s” is open for comments") % {"title": d.title},
        DISCUSSION_CLOSING: lambda d: _("“%(title)s” closes in three days") % {"title": d.title},
        DISCUSSION_CLOSED: lambda d: _("“%(title)s” is closed") % {"title": d.title},
    }
    return {"subject": subjects[kind], "template": f"discussions/email/{kind}.txt",
            "context": {"discussion_url": site_url(discussion.get_absolute_url())}}


def notify_followers(*, kind: str, discussion: Discussion, question: Question | None = None,
                     exclude_user_id: int | None = None) -> None:
    """Every follower of the discussion hears of `kind`, once the transaction commits: one task carrying ids, so
    that the request never reads the followers."""
    from discussions.tasks import notify_followers as task
    from hub.tasks import enqueue

    args = (kind, discussion.pk, question.pk if question else None, exclude_user_id)
    transaction.on_commit(lambda: enqueue(task, *args), robust=True)


def send_follower_notices(kind: str, discussion_id: int, question_id: int | None = None,
                          exclude_user_id: int | None = None, *, batch_size: int | None = None) -> int:
    """Write and send the notice `kind` to every active follower with an e-mail address, HUB_MAIL_BATCH_SIZE at a
    time over one connection each; mails the server could not take are queued to be retried. Returns how many
    mails were written."""
    discussion = Discussion.objects.filter(pk=discussion_id).first()
    if discussion is None:
        return 0
    if kind == QUESTION_POSTED:
        notice = _question_notice(Question.objects.filter(pk=question_id, discussion=discussion).first())
    else:
        notice = _date_notice(kind, discussion)
    if notice is None:
        return 0
    batch_size = batch_size or settings.HUB_MAIL_BATCH_SIZE
    followers = (Subscription.objects.filter(discussion=discussion, user__is_active=True).exclude(user__email="")
                 .select_related("user__profile").order_by("pk"))
    if exclude_user_id is not None:
        followers = followers.exclude(user_id=exclude_user_id)
    written, after = 0, 0
    while True:
        batch = list(followers.filter(pk__gt=after)[:batch_size])  # keyset pages: each batch one indexed query
        if not batch:
            return written
        after = batch[-1].pk
        payloads = []
        for subscription in batch:
            user = subscription.user
            try:
                with translation.override(preferred_language(user)):
                    payloads.append(message_to_payload(_follower_message(
                        user=user, discussion=discussion, subject=notice["subject"](discussion),
                        template=notice["template"], context=notice["context"])))
            except Exception:  # noqa: BLE001 - one follower's odd data must not stop the others' mail
                log.exception("Follower notice %s not written for user %s", kind, user.pk)
        written += len(payloads)
        queue_payloads(send_payloads(payloads))  # what the server could not take now is retried by the queue


def notify_question_posted(question: Question) -> None:
    """Every follower of the discussion (but the one who posted it) hears of a new question, after commit."""
    notify_followers(kind=QUESTION_POSTED, discussion=question.discussion, question=question,
                     exclude_user_id=question.posted_by_id)


def _due_date_notices(now: datetime):
    effectively_open = Q(status=Discussion.Status.OPEN) & (Q(opens_at__isnull=True) | Q(opens_at__lte=now))
    return (
        (DISCUSSION_OPENED, "opened_notice_sent_at",
         Q(status=Discussion.Status.OPEN, opens_at__lte=now) & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))),
        (DISCUSSION_CLOSING, "closing_reminder_sent_at",
         effectively_open & Q(closes_at__gt=now, closes_at__lte=now + CLOSING_REMINDER_BEFORE,
                              closed_notice_sent_at__isnull=True)),
        (DISCUSSION_CLOSED, "closed_notice_sent_at", Q(status=Discussion.Status.OPEN, closes_at__lte=now)),
    )


CLOSING_REMINDER_BEFORE = timedelta(days=3)


def send_discussion_date_notices(*, now: datetime | None = None) -> int:
    """Tell followers that a discussion opened, closes within three days, or closed, by its dates. Each notice is
    recorded on the discussion in the same transaction that queues it, so running this twice (two beats, a retry)
    sends nothing twice. Returns how many notices (one per discussion and kind) were queued."""
    now = now or timezone.now()
    queued = 0
    for kind, field_name, condition in _due_date_notices(now):
        due = Discussion.objects.filter(condition, **{f"{field_name}__isnull": True})
        for discussion_id in due.values_list("pk", flat=True):
            with transaction.atomic():
                discussion = (Discussion.objects.select_for_update()
                              .filter(condition, pk=discussion_id, **{f"{field_name}__isnull": True}).first())
                if discussion is None:  # another run took it meanwhile
                    continue
                setattr(discussion, field_name, now)
                discussion.save(update_fields=[field_name])
                notify_followers(kind=kind, discussion=discussion)
                queued += 1
    return queued


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
    from discussions.tasks import send_moderation_digests
    from hub.tasks import enqueue

    discussion_id = comment.discussion_id
    # A task: reading the moderators and locking each one's digest is no work for the request.
    transaction.on_commit(lambda: enqueue(send_moderation_digests, discussion_id), robust=True)


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
