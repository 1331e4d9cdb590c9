"""The secretariat's writes: what became of each published comment in the final workplan (its response), and
whether a discussion shows those responses to readers.

Each service checks the export permission first and writes the audit log. The response table's reads are in
selectors.py (`comments_for_response_table`, `response_counts`).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Comment, Discussion, Disposition
from discussions.permissions import check_export_feedback
from hub.audit import audit_log

MAX_RATIONALE = 2000


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

