"""Lock and unlock a question; close and reopen a discussion."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Discussion, Question
from discussions.permissions import check_moderate_discussion
from hub.audit import audit_log


def _set_locked(actor, question: Question, locked: bool, reason: str) -> Question:
    check_moderate_discussion(actor, question.discussion)
    question = Question.objects.select_for_update().select_related("discussion").get(pk=question.pk)
    if question.locked == locked:
        return question
    question.locked = locked
    question.save(update_fields=["locked"])
    audit_log(actor=actor, action="question.lock" if locked else "question.unlock", target=question,
              before={"locked": not locked}, after={"locked": locked}, reason=reason.strip())
    return question


@transaction.atomic
def question_lock(*, actor, question: Question, reason: str = "") -> Question:
    """A locked question takes no new answers or replies; what was said stays visible."""
    return _set_locked(actor, question, True, reason)


@transaction.atomic
def question_unlock(*, actor, question: Question, reason: str = "") -> Question:
    """Unlocking lets people answer the question again."""
    return _set_locked(actor, question, False, reason)


@transaction.atomic
def discussion_close(*, actor, discussion: Discussion, reason: str = "") -> Discussion:
    """Closing stops all new comments at once, whatever the closing date says."""
    check_moderate_discussion(actor, discussion)
    discussion = Discussion.objects.select_for_update().get(pk=discussion.pk)
    if discussion.status in (Discussion.Status.CLOSED, Discussion.Status.ARCHIVED):
        raise ValidationError(_("This discussion is already closed."))
    before = {"status": discussion.status, "closes_at": discussion.closes_at}
    discussion.status = Discussion.Status.CLOSED
    discussion.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action="discussion.close", target=discussion, before=before,
              after={"status": discussion.status, "closes_at": discussion.closes_at}, reason=reason.strip())
    return discussion


@transaction.atomic
def discussion_reopen(*, actor, discussion: Discussion, reason: str = "") -> Discussion:
    """Reopening opens the discussion now; a closing date already past is cleared, or it would stay closed."""
    check_moderate_discussion(actor, discussion)
    discussion = Discussion.objects.select_for_update().get(pk=discussion.pk)
    if discussion.is_open:
        raise ValidationError(_("This discussion is already open."))
    before = {"status": discussion.status, "closes_at": discussion.closes_at, "opens_at": discussion.opens_at}
    now = timezone.now()
    discussion.status = Discussion.Status.OPEN
    if discussion.closes_at and discussion.closes_at <= now:
        discussion.closes_at = None
    if discussion.opens_at and discussion.opens_at > now:
        discussion.opens_at = now
    discussion.save(update_fields=["status", "closes_at", "opens_at", "updated_at"])
    audit_log(actor=actor, action="discussion.reopen", target=discussion, before=before,
              after={"status": discussion.status, "closes_at": discussion.closes_at, "opens_at": discussion.opens_at},
              reason=reason.strip())
    return discussion
