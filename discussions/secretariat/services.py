"""The secretariat's response table: what became of each published comment in the final workplan.

Writes (recording or clearing a disposition, publishing the responses of a discussion) are services that check
the export permission first and write the audit log. The table's read is `comments_for_response_table`.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Comment, Discussion, Disposition
from discussions.permissions import check_export_feedback
from hub.audit import audit_log
from workplan.models import Priority

MAX_RATIONALE = 2000
NO_RESPONSE = "none"


def _state(disposition: Disposition | None) -> dict:
    if disposition is None:
        return {}
    return {"outcome": disposition.outcome, "rationale": disposition.rationale}


def disposition_record(*, actor, comment: Comment, outcome: str, rationale: str = "") -> Disposition:
    """Record (or change) the secretariat's response to a published comment; the change is audited."""
    check_export_feedback(actor)
    if outcome not in Disposition.Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the listed outcomes.")})
    rationale = (rationale or "").strip()
    if len(rationale) > MAX_RATIONALE:
        raise ValidationError({"rationale": _("Keep the rationale under %(max)d characters.") % {"max": MAX_RATIONALE}})
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.status != Comment.Status.PUBLISHED:
            raise ValidationError(_("Only published comments receive a response."))
        disposition = Disposition.objects.filter(comment=comment).first()
        before = _state(disposition)
        if disposition is None:
            disposition = Disposition.objects.create(comment=comment, outcome=outcome, rationale=rationale,
                                                     decided_by=actor, decided_at=timezone.now())
        elif before == {"outcome": outcome, "rationale": rationale}:
            return disposition  # nothing changed: no write, no audit entry
        else:
            disposition.outcome = outcome
            disposition.rationale = rationale
            disposition.decided_by = actor
            disposition.decided_at = timezone.now()
            disposition.save(update_fields=["outcome", "rationale", "decided_by", "decided_at"])
        audit_log(actor=actor, action="disposition.record", target=comment, before=before,
                  after=_state(disposition))
    return disposition


def disposition_clear(*, actor, comment: Comment) -> None:
    """Remove the response to a comment (recorded by mistake); the removal is audited."""
    check_export_feedback(actor)
    with transaction.atomic():
        disposition = Disposition.objects.select_for_update().filter(comment=comment).first()
        if disposition is None:
            return
        before = _state(disposition)
        disposition.delete()
        audit_log(actor=actor, action="disposition.clear", target=comment, before=before, after={})


def discussion_set_publish_responses(*, actor, discussion: Discussion, publish: bool) -> Discussion:
    """Show or stop showing the secretariat's responses under the comments of a discussion; audited."""
    check_export_feedback(actor)
    with transaction.atomic():
        discussion = Discussion.objects.select_for_update().get(pk=discussion.pk)
        if discussion.publish_responses == publish:
            return discussion
        discussion.publish_responses = publish
        discussion.save(update_fields=["publish_responses", "updated_at"])
        audit_log(actor=actor, action="discussion.publish_responses" if publish else "discussion.unpublish_responses",
                  target=discussion, before={"publish_responses": not publish}, after={"publish_responses": publish})
    return discussion


def comments_for_response_table(discussion: Discussion, *, priority_id: int | None = None,
                                outcome: str = "") -> QuerySet[Comment]:
    """Published comments of a discussion with their response, question and priorities, oldest first.

    `outcome` filters by recorded outcome, or "none" for comments still without a response.
    """
    qs = (Comment.objects.filter(discussion=discussion, status=Comment.Status.PUBLISHED)
          .select_related("disposition", "disposition__decided_by__profile", "question")
          .prefetch_related(Prefetch("priorities", queryset=Priority.objects.only("id", "kind", "number", "title")))
          .order_by("created_at", "id"))
    if priority_id:
        qs = qs.filter(pk__in=Comment.priorities.through.objects.filter(priority_id=priority_id).values("comment_id"))
    if outcome == NO_RESPONSE:
        qs = qs.filter(disposition__isnull=True)
    elif outcome in Disposition.Outcome.values:
        qs = qs.filter(disposition__outcome=outcome)
    return qs


def response_counts(discussion: Discussion) -> dict[str, int]:
    """How many published comments have each outcome, and how many have none yet (one query)."""
    from django.db.models import Count

    rows = (Comment.objects.filter(discussion=discussion, status=Comment.Status.PUBLISHED)
            .values("disposition__outcome").annotate(n=Count("id")).order_by())
    counts = {value: 0 for value in Disposition.Outcome.values}
    counts[NO_RESPONSE] = 0
    for row in rows:
        counts[row["disposition__outcome"] or NO_RESPONSE] += row["n"]
    return counts
