"""The moderator's questions: post, edit and put in order."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import notifications
from discussions.models import Discussion, Question
from discussions.permissions import check_moderate_discussion, check_post_question
from hub.audit import audit_log
from hub.selectors import profile_for_user

MAX_QUESTION = 2000


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the question.")})
    if len(text) > MAX_QUESTION:
        raise ValidationError({"text": _("A question has at most %(max)d characters.") % {"max": MAX_QUESTION}})
    return text


@transaction.atomic
def question_post(*, actor, discussion: Discussion, text: str) -> Question:
    """Only the discussion's moderators post questions; a new one goes last and followers are told."""
    check_post_question(actor, discussion)
    text = _clean_text(text)
    last = discussion.questions.order_by("-order").values_list("order", flat=True).first()
    order = (last or 0) + 1
    profile = profile_for_user(actor)
    question = Question.objects.create(
        discussion=discussion, order=order, text=text, posted_by=actor,
        posted_by_name=(profile.display_name if profile else "") or actor.get_username(), posted_at=timezone.now(),
    )
    audit_log(actor=actor, action="question.post", target=question, after={"text": text, "order": order})
    notifications.notify_question_posted(question)
    return question


@transaction.atomic
def question_edit(*, actor, question: Question, text: str, reason: str = "") -> Question:
    """Editing a question keeps its answers; the earlier wording stays in the audit log."""
    check_moderate_discussion(actor, question.discussion)
    text = _clean_text(text)
    question = Question.objects.select_for_update().select_related("discussion").get(pk=question.pk)
    if text == question.text:
        return question
    before = {"text": question.text}
    question.text = text
    question.save(update_fields=["text"])
    audit_log(actor=actor, action="question.edit", target=question, before=before, after={"text": text},
              reason=reason.strip())
    return question


@transaction.atomic
def question_reorder(*, actor, discussion: Discussion, question_ids: list[int]) -> list[Question]:
    """The new order must name every question of the discussion exactly once."""
    check_moderate_discussion(actor, discussion)
    questions = list(Question.objects.select_for_update().filter(discussion=discussion).order_by("order", "id"))
    if sorted(question_ids) != sorted(q.pk for q in questions) or len(set(question_ids)) != len(question_ids):
        raise ValidationError(_("The new order must list every question of the discussion once."))
    before = [q.pk for q in questions]
    by_id = {q.pk: q for q in questions}
    changed = []
    for position, pk in enumerate(question_ids):
        question = by_id[pk]
        if question.order != position:
            question.order = position
            changed.append(question)
    Question.objects.bulk_update(changed, ["order"])
    if before != list(question_ids):
        audit_log(actor=actor, action="question.reorder", target=discussion, before={"order": before},
                  after={"order": list(question_ids)})
    return [by_id[pk] for pk in question_ids]


def question_move(*, actor, question: Question, direction: str) -> list[Question]:
    """Move a question one place up or down (the keyboard-friendly way to reorder)."""
    discussion = question.discussion
    check_moderate_discussion(actor, discussion)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a question up or down."))
    ids = list(discussion.questions.order_by("order", "id").values_list("pk", flat=True))
    index = ids.index(question.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return question_reorder(actor=actor, discussion=discussion, question_ids=ids)
