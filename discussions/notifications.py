"""E-mails to followers of a discussion: a reply to my comment was published; a new question was posted.

Every e-mail carries a signed unsubscribe link (and the List-Unsubscribe headers of RFC 2369/8058): opening it
asks for confirmation, a POST to it (the button there, or a mail client's one-click) unsubscribes.
Callers are services inside a transaction: mail leaves only once that transaction commits.
"""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from discussions.models import Comment, Question, Subscription
from hub.mail import header_text, send_logged

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


def site_url() -> str:
    """The absolute address mails link to (HUB_SITE_URL), without a trailing slash."""
    return settings.HUB_SITE_URL.rstrip("/")


def _send(*, user, discussion, subject: str, template: str, context: dict) -> None:
    token = unsubscribe_token(user_id=user.pk, discussion_id=discussion.pk)
    unsubscribe_url = site_url() + reverse("discussions:unsubscribe", kwargs={"token": token})
    context = {**context, "discussion": discussion, "unsubscribe_url": unsubscribe_url, "site_url": site_url(),
               "site_name": settings.HUB_SITE_NAME}
    body = render_to_string(template, context)
    # RFC 2369 and 8058: mail clients show an unsubscribe button that POSTs "List-Unsubscribe=One-Click" to the
    # link (the view acts on POST only; a plain GET, as mail scanners send, just asks).
    mail = EmailMultiAlternatives(
        subject=header_text(f"[{settings.HUB_SITE_NAME}] {subject}"), body=body, to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    send_logged(mail)  # one refused address or odd name must not stop the other followers' mail


def _send_reply_notice(comment_id: int) -> None:
    comment = (Comment.objects.select_related("discussion", "parent__author", "question")
               .filter(pk=comment_id, status=Comment.Status.PUBLISHED).first())
    if comment is None or comment.parent is None:
        return
    recipient = comment.parent.author
    if recipient is None or not recipient.email or not recipient.is_active or recipient.pk == comment.author_id:
        return
    if not Subscription.objects.filter(user=recipient, discussion=comment.discussion).exists():
        return
    _send(user=recipient, discussion=comment.discussion,
          subject=f"{comment.shown_name} replied to your comment",
          template="discussions/email/reply_published.txt",
          context={"comment": comment, "comment_url": site_url() + comment.get_absolute_url()})


def notify_comment_published(comment: Comment) -> None:
    """Call whenever a comment becomes published (at posting under post-moderation, or when a moderator approves
    it): the author of the comment it replies to hears of it, if they follow the discussion."""
    if comment.parent_id is None:
        return
    comment_id = comment.pk
    transaction.on_commit(lambda: _send_reply_notice(comment_id))


def _send_question_notices(question_id: int) -> None:
    question = Question.objects.select_related("discussion").filter(pk=question_id).first()
    if question is None:
        return
    subscriptions = (Subscription.objects.filter(discussion=question.discussion, user__is_active=True)
                     .select_related("user").exclude(user__email=""))
    for subscription in subscriptions:
        if subscription.user_id == question.posted_by_id:
            continue
        _send(user=subscription.user, discussion=question.discussion,
              subject=f"New question in “{question.discussion.title}”",
              template="discussions/email/question_posted.txt",
              context={"question": question, "question_url": site_url() + question.get_absolute_url()})


def notify_question_posted(question: Question) -> None:
    """Every follower of the discussion hears of a new question, once the transaction commits."""
    question_id = question.pk
    transaction.on_commit(lambda: _send_question_notices(question_id))
