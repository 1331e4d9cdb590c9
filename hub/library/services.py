"""Every write of the library. Each checks permission first, runs in one transaction, writes the audit log and
queues its e-mails to leave once the transaction has committed."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.audit import audit_log
from hub.library import notifications
from hub.library.models import (
    SCORE_MAX, SCORE_MIN, Criterion, CriteriaPage, Language, Region, Resource, ResourceType, Review, ReviewScore,
    RosterMember, Scope,
)
from hub.library.permissions import (
    check_apply_to_roster, check_edit_submission, check_manage_library, check_review, check_submit_resource,
    claimed_organisation, conflict_with_submitter,
)
from hub.library.selectors import REVIEWS_REQUIRED
from hub.selectors import profile_for_user
from hub.text import clean_html, safe_href, text_to_html
from hub.uploads import CheckedFile
from workplan.models import GcmObjective, Priority

TITLE_MAX = 300
SUMMARY_MAX = 5000
TEXT_MAX = 5000
NOTE_MAX = 2000
EARLIEST_YEAR = 1900


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def _too_long(label: str, value: str, limit: int) -> str:
    return _("Keep %(what)s to %(max)d characters (it has %(length)d).") % {
        "what": label, "max": limit, "length": len(value)}


# --- Resources ---------------------------------------------------------------------------------------------------

@dataclass
class ResourceDetails:
    """What a submitter (or an import) says about a resource. `summary` is plain text; it is stored as clean HTML."""

    title: str
    summary: str
    type: str
    scope: str
    publisher: str
    languages: list[Language] = field(default_factory=list)
    url: str = ""
    region: str = ""
    country: str = ""
    year: int | None = None
    gcm_objectives: list[GcmObjective] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    licence: str = ""


def resource_errors(details: ResourceDetails, *, has_file: bool) -> dict[str, list[str]]:
    """Every problem with the details, by field (empty when they are fine). Normalises `details` in place."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    details.title = _one_line(details.title)
    details.summary = (details.summary or "").strip()
    details.url = (details.url or "").strip()
    details.publisher = _one_line(details.publisher)
    details.country = _one_line(details.country)
    details.licence = _one_line(details.licence)
    if not details.title:
        add("title", _("Give the resource's title."))
    elif len(details.title) > TITLE_MAX:
        add("title", _too_long(_("the title"), details.title, TITLE_MAX))
    if not details.summary:
        add("summary", _("Say in a few sentences what the resource is about and who it is for."))
    elif len(details.summary) > SUMMARY_MAX:
        add("summary", _too_long(_("the summary"), details.summary, SUMMARY_MAX))
    if details.type not in ResourceType.values:
        add("type", _("Choose the type of resource."))
    if details.url and (safe_href(details.url) is None or not details.url.lower().startswith(("http://", "https://"))
                        or len(details.url) > 500):
        add("url", _("Enter the full web address, starting with https:// (at most 500 characters)."))
    if not details.url and not has_file:
        add("url", _("Give a link to the resource, upload it, or both."))
    if not details.languages:
        add("languages", _("Choose the language or languages the resource is in."))
    if details.scope not in Scope.values:
        add("scope", _("Choose whether the resource is global, regional or national."))
    if details.scope == Scope.REGIONAL:
        if details.region not in Region.values:
            add("region", _("Choose the region a regional resource covers."))
    else:
        details.region = ""
    if details.scope == Scope.NATIONAL:
        if not details.country:
            add("country", _("Name the country a national resource covers."))
        elif len(details.country) > 100:
            add("country", _too_long(_("the country"), details.country, 100))
    else:
        details.country = ""
    latest = timezone.localdate().year + 1
    if details.year is not None and not EARLIEST_YEAR <= details.year <= latest:
        add("year", _("Enter a year between %(first)d and %(last)d.") % {"first": EARLIEST_YEAR, "last": latest})
    if not details.publisher:
        add("publisher", _("Name the organisation that published the resource."))
    elif len(details.publisher) > 200:
        add("publisher", _too_long(_("the publishing organisation"), details.publisher, 200))
    if len(details.licence) > 300:
        add("licence", _too_long(_("the licence or source"), details.licence, 300))
    if any(not priority.active for priority in details.priorities):
        add("priorities", _("Choose only current workplan priorities."))
    return errors


def apply_details(resource: Resource, details: ResourceDetails) -> None:
    resource.title = details.title
    resource.summary = text_to_html(details.summary)
    resource.type = details.type
    resource.url = details.url
    resource.scope = details.scope
    resource.region = details.region
    resource.country = details.country
    resource.year = details.year
    resource.publisher = details.publisher
    resource.licence = details.licence


def set_relations(resource: Resource, details: ResourceDetails) -> None:
    resource.languages.set(details.languages)
    resource.gcm_objectives.set(details.gcm_objectives)
    resource.priorities.set(details.priorities)


def _attach(resource: Resource, checked: CheckedFile) -> None:
    resource.file.save(checked.name, ContentFile(checked.data), save=False)
    resource.file_name = checked.name
    resource.file_type = checked.content_type
    resource.file_size = checked.size
    resource.file_sha256 = checked.sha256


def resource_snapshot(resource: Resource) -> dict:
    return {"title": resource.title, "type": resource.type, "url": resource.url, "scope": resource.scope,
            "region": resource.region, "country": resource.country, "year": resource.year,
            "publisher": resource.publisher, "licence": resource.licence, "file": resource.file_name,
            "status": resource.status, "round": resource.round}


def _delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def resource_submit(*, actor, details: ResourceDetails, file: CheckedFile | None = None) -> Resource:
    """Anyone with a complete profile suggests a resource; it waits for the secretariat to assign reviewers."""
    check_submit_resource(actor)
    errors = resource_errors(details, has_file=file is not None)
    if errors:
        raise ValidationError(errors)
    profile = profile_for_user(actor)
    resource = Resource(submitted_by=actor, submitter_name=profile.display_name,
                        submitter_organisation=claimed_organisation(profile),
                        submitter_organisation_confirmed=profile.membership_confirmed,
                        status=Resource.Status.SUBMITTED, submitted_at=timezone.now())
    apply_details(resource, details)
    if file is not None:
        _attach(resource, file)
    resource.save()
    set_relations(resource, details)
    audit_log(actor=actor, action="resource.submit", target=resource, after=resource_snapshot(resource))
    notifications.notify_submitted(resource)
    return resource


@transaction.atomic
def resource_update(*, actor, resource: Resource, details: ResourceDetails, file: CheckedFile | None = None,
                    remove_file: bool = False) -> Resource:
    """The submitter corrects a submission before review, or revises it when asked to: a revision goes back to the
    secretariat as a new review round."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    check_edit_submission(actor, resource)
    keeps_file = bool(resource.file) and not remove_file
    errors = resource_errors(details, has_file=file is not None or keeps_file)
    if errors:
        raise ValidationError(errors)
    before = resource_snapshot(resource)
    old_file = resource.file.name if resource.file and (file is not None or remove_file) else ""
    apply_details(resource, details)
    if old_file:
        resource.file = ""
        resource.file_name = resource.file_type = resource.file_sha256 = ""
        resource.file_size = None
    if file is not None:
        _attach(resource, file)
    resubmitted = resource.status == Resource.Status.REVISION
    if resubmitted:
        resource.status = Resource.Status.SUBMITTED
        resource.round += 1
        resource.submitted_at = timezone.now()
    resource.save()
    set_relations(resource, details)
    _delete_file_on_commit(old_file)
    audit_log(actor=actor, action="resource.resubmit" if resubmitted else "resource.update", target=resource,
              before=before, after=resource_snapshot(resource))
    if resubmitted:
        notifications.notify_submitted(resource)
    return resource


def _lock_resource(resource: Resource) -> Resource:
    return Resource.objects.select_for_update().get(pk=resource.pk)


def _active_in_round(resource: Resource) -> list[Review]:
    return list(Review.objects.filter(resource=resource, round=resource.round,
                                      status__in=[Review.Status.ASSIGNED, Review.Status.SUBMITTED]))


def _back_to_queue_if_unreviewed(resource: Resource) -> None:
    """A resource whose reviewers all declined or were withdrawn waits for reviewers again."""
    if resource.status == Resource.Status.IN_REVIEW and not _active_in_round(resource):
        resource.status = Resource.Status.SUBMITTED
        resource.save(update_fields=["status", "updated_at"])


@transaction.atomic
def review_assign(*, actor, resource: Resource, reviewers: list[RosterMember], due_date: date) -> list[Review]:
    """The secretariat asks roster members to review this round: two reviewers per round, never the submitter nor
    anyone from the submitter's organisation, each at most once per round."""
    check_manage_library(actor)
    resource = _lock_resource(resource)
    if resource.status not in (Resource.Status.SUBMITTED, Resource.Status.IN_REVIEW):
        raise ValidationError(_("This resource is %(status)s: reviewers are assigned only to submissions waiting "
                                "for review.") % {"status": resource.get_status_display().lower()})
    if not reviewers:
        raise ValidationError({"reviewers": _("Choose at least one reviewer.")})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The review cannot be due in the past.")})
    active = _active_in_round(resource)
    if len(active) + len(reviewers) > REVIEWS_REQUIRED:
        raise ValidationError({"reviewers": _(
            "Each round is reviewed by %(required)d reviewers; this one already has %(active)d, so choose at most "
            "%(left)d.") % {"required": REVIEWS_REQUIRED, "active": len(active),
                            "left": max(REVIEWS_REQUIRED - len(active), 0)}})
    asked = set(Review.objects.filter(resource=resource, round=resource.round).values_list("reviewer_id", flat=True))
    members = list(RosterMember.objects.select_related("user").filter(pk__in=[m.pk for m in reviewers]))
    problems = []
    for member in members:
        if member.status != RosterMember.Status.ACCEPTED:
            problems.append(_("%(name)s is not on the roster.") % {"name": member.name})
        elif member.pk in asked:
            problems.append(_("%(name)s was already asked to review this round.") % {"name": member.name})
        elif conflict := conflict_with_submitter(member, resource):
            problems.append(conflict)
    if problems:
        raise ValidationError({"reviewers": problems})
    created = []
    for member in members:
        review = Review.objects.create(resource=resource, reviewer=member, round=resource.round, assigned_by=actor,
                                       due_date=due_date)
        audit_log(actor=actor, action="review.assign", target=review,
                  after={"resource": resource.pk, "reviewer": member.pk, "round": resource.round,
                         "due_date": due_date.isoformat()})
        notifications.notify_review_assigned(review)
        created.append(review)
    if resource.status == Resource.Status.SUBMITTED:
        resource.status = Resource.Status.IN_REVIEW
        resource.save(update_fields=["status", "updated_at"])
    return created


def _lock_review(review: Review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related("reviewer", "resource").get(pk=review.pk)


@transaction.atomic
def review_decline(*, actor, review: Review, reason: str, note: str = "") -> Review:
    """The reviewer declines (a conflict of interest, no time, outside their expertise); the secretariat is told
    so it can ask someone else."""
    review = _lock_review(review)
    check_review(actor, review)
    note = (note or "").strip()
    if reason not in Review.DeclineReason.values:
        raise ValidationError({"reason": _("Choose why you decline.")})
    if reason == Review.DeclineReason.OTHER and not note:
        raise ValidationError({"note": _("Tell the secretariat in a few words why you decline.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _too_long(_("the note"), note, NOTE_MAX)})
    review.status = Review.Status.DECLINED
    review.decline_reason = reason
    review.decline_note = note
    review.closed_at = timezone.now()
    review.save(update_fields=["status", "decline_reason", "decline_note", "closed_at"])
    _back_to_queue_if_unreviewed(_lock_resource(review.resource))
    audit_log(actor=actor, action="review.decline", target=review, before={"status": Review.Status.ASSIGNED},
              after={"status": review.status, "reason": reason}, reason=note)
    notifications.notify_review_declined(review)
    return review


@transaction.atomic
def review_submit(*, actor, review: Review, no_conflict: bool, scores: dict[int, int], recommendation: str,
                  comments_for_submitter: str, comments_for_secretariat: str = "") -> Review:
    """The reviewer declares no conflict of interest, scores every published criterion from 1 to 5, recommends
    accept, revise or reject, and explains it to the submitter (and, optionally, to the secretariat)."""
    review = _lock_review(review)
    check_review(actor, review)
    comments_for_submitter = (comments_for_submitter or "").strip()
    comments_for_secretariat = (comments_for_secretariat or "").strip()
    errors: dict[str, list[str]] = {}
    if not no_conflict:
        errors["no_conflict"] = [_("Declare that you have no conflict of interest, or decline the review.")]
    criteria = list(Criterion.objects.filter(active=True))
    for criterion in criteria:
        score = scores.get(criterion.pk)
        if not isinstance(score, int) or not SCORE_MIN <= score <= SCORE_MAX:
            errors.setdefault(f"score_{criterion.pk}", []).append(
                _("Score “%(criterion)s” from %(min)d to %(max)d.") % {
                    "criterion": criterion.name, "min": SCORE_MIN, "max": SCORE_MAX})
    if recommendation not in Review.Recommendation.values:
        errors["recommendation"] = [_("Recommend accepting, revising or rejecting the resource.")]
    if not comments_for_submitter:
        errors["comments_for_submitter"] = [_("Explain your recommendation to the submitter.")]
    elif len(comments_for_submitter) > TEXT_MAX:
        errors["comments_for_submitter"] = [_too_long(_("your comments"), comments_for_submitter, TEXT_MAX)]
    if len(comments_for_secretariat) > TEXT_MAX:
        errors["comments_for_secretariat"] = [_too_long(_("your comments"), comments_for_secretariat, TEXT_MAX)]
    if errors:
        raise ValidationError(errors)
    ReviewScore.objects.bulk_create([ReviewScore(review=review, criterion=c, score=scores[c.pk]) for c in criteria])
    review.no_conflict = True
    review.recommendation = recommendation
    review.comments_for_submitter = comments_for_submitter
    review.comments_for_secretariat = comments_for_secretariat
    review.status = Review.Status.SUBMITTED
    review.closed_at = timezone.now()
    review.save(update_fields=["no_conflict", "recommendation", "comments_for_submitter", "comments_for_secretariat",
                               "status", "closed_at"])
    audit_log(actor=actor, action="review.submit", target=review, before={"status": Review.Status.ASSIGNED},
              after={"status": review.status, "recommendation": recommendation,
                     "scores": {c.name: scores[c.pk] for c in criteria}})
    notifications.notify_review_submitted(review)
    return review


@transaction.atomic
def review_cancel(*, actor, review: Review) -> Review:
    """The secretariat withdraws an open review request (an overdue reviewer, say); the reviewer is told."""
    check_manage_library(actor)
    review = _lock_review(review)
    if review.status != Review.Status.ASSIGNED:
        raise ValidationError(_("This review is already closed (%(status)s).") % {
            "status": review.get_status_display().lower()})
    review.status = Review.Status.CANCELLED
    review.closed_at = timezone.now()
    review.save(update_fields=["status", "closed_at"])
    _back_to_queue_if_unreviewed(_lock_resource(review.resource))
    audit_log(actor=actor, action="review.cancel", target=review, before={"status": Review.Status.ASSIGNED},
              after={"status": review.status})
    notifications.notify_review_cancelled(review)
    return review


class Decision:
    PUBLISH = "publish"
    REVISE = "revise"
    REJECT = "reject"
    CHOICES = (PUBLISH, REVISE, REJECT)


_DECIDED_STATUS = {Decision.PUBLISH: Resource.Status.PUBLISHED, Decision.REVISE: Resource.Status.REVISION,
                   Decision.REJECT: Resource.Status.REJECTED}


@transaction.atomic
def resource_decide(*, actor, resource: Resource, decision: str, note: str = "") -> Resource:
    """The secretariat publishes a resource (only once two reviews of this round are in), asks for a revision or
    rejects it, telling the submitter why; review requests still open in the round are withdrawn."""
    check_manage_library(actor)
    resource = _lock_resource(resource)
    note = (note or "").strip()
    if decision not in Decision.CHOICES:
        raise ValidationError({"decision": _("Choose to publish, ask for a revision or reject.")})
    if resource.status not in (Resource.Status.SUBMITTED, Resource.Status.IN_REVIEW):
        raise ValidationError(_("This resource was already decided (%(status)s).") % {
            "status": resource.get_status_display().lower()})
    if decision != Decision.PUBLISH and not note:
        raise ValidationError({"note": _("Tell the submitter why: they receive this message.")})
    if len(note) > TEXT_MAX:
        raise ValidationError({"note": _too_long(_("the message"), note, TEXT_MAX)})
    active = _active_in_round(resource)
    done = [r for r in active if r.status == Review.Status.SUBMITTED]
    if decision == Decision.PUBLISH and len(done) < REVIEWS_REQUIRED:
        raise ValidationError(_("A resource is published only after %(required)d peer reviews of this round; "
                                "%(done)d are in.") % {"required": REVIEWS_REQUIRED, "done": len(done)})
    before = {"status": resource.status}
    now = timezone.now()
    resource.status = _DECIDED_STATUS[decision]
    resource.decided_at = now
    resource.decided_by = actor
    resource.decision_note = note
    if decision == Decision.PUBLISH:
        resource.published_at = now
    resource.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "published_at", "updated_at"])
    for review in active:
        if review.status == Review.Status.ASSIGNED:
            review.status = Review.Status.CANCELLED
            review.closed_at = now
            review.save(update_fields=["status", "closed_at"])
            audit_log(actor=actor, action="review.cancel", target=review, before={"status": Review.Status.ASSIGNED},
                      after={"status": review.status}, reason="resource decided")
            notifications.notify_review_cancelled(review)
    audit_log(actor=actor, action=f"resource.{decision}", target=resource, before=before,
              after={"status": resource.status, "round": resource.round,
                     "recommendations": sorted(r.recommendation for r in done)}, reason=note)
    notifications.notify_resource_decided(resource)
    return resource


# --- The roster --------------------------------------------------------------------------------------------------

@transaction.atomic
def roster_apply(*, actor, affiliation: str, expertise: list[GcmObjective], languages: list[Language], cv: str = "",
                 cv_url: str = "", conflicts: str = "") -> RosterMember:
    """An expert applies to join the peer review roster: their areas of expertise among the GCM objectives, the
    languages they review in, their affiliation, a short CV or a link to one, and the interests they declare."""
    check_apply_to_roster(actor)
    affiliation = _one_line(affiliation)
    cv, cv_url, conflicts = (cv or "").strip(), (cv_url or "").strip(), (conflicts or "").strip()
    errors: dict[str, list[str]] = {}
    if not expertise:
        errors["expertise"] = [_("Choose the GCM objectives you have expertise in.")]
    if not languages:
        errors["languages"] = [_("Choose the languages you can review in.")]
    if not affiliation:
        errors["affiliation"] = [_("Give your affiliation (organisation, university, or independent).")]
    elif len(affiliation) > 200:
        errors["affiliation"] = [_too_long(_("the affiliation"), affiliation, 200)]
    if cv_url and (safe_href(cv_url) is None or not cv_url.lower().startswith(("http://", "https://"))
                   or len(cv_url) > 500):
        errors["cv_url"] = [_("Enter the full web address, starting with https:// (at most 500 characters).")]
    if not cv and not cv_url:
        errors["cv"] = [_("Write a short CV or give a link to one.")]
    elif len(cv) > 3000:
        errors["cv"] = [_too_long(_("the CV"), cv, 3000)]
    if len(conflicts) > NOTE_MAX:
        errors["conflicts"] = [_too_long(_("the interests you declare"), conflicts, NOTE_MAX)]
    if errors:
        raise ValidationError(errors)
    profile = profile_for_user(actor)
    try:
        with transaction.atomic():  # two clicks at once meet the database constraint, not a 500
            member = RosterMember.objects.create(
                user=actor, name=profile.display_name, organisation=claimed_organisation(profile),
                affiliation=affiliation,
                cv=cv, cv_url=cv_url, conflicts=conflicts)
    except IntegrityError:
        raise ValidationError(_("You have already applied to the roster, or are on it.")) from None
    member.expertise.set(expertise)
    member.languages.set(languages)
    audit_log(actor=actor, action="roster.apply", target=member,
              after={"affiliation": affiliation, "expertise": sorted(o.pk for o in expertise),
                     "languages": sorted(lang.pk for lang in languages)})
    notifications.notify_roster_application(member)
    return member


@transaction.atomic
def roster_decide(*, actor, member: RosterMember, accept: bool, reply: str = "") -> RosterMember:
    """The secretariat accepts an expert to the roster or declines the application; the applicant is told."""
    check_manage_library(actor)
    member = RosterMember.objects.select_for_update().get(pk=member.pk)
    reply = (reply or "").strip()
    if member.status != RosterMember.Status.APPLIED:
        raise ValidationError(_("This application was already decided (%(status)s).") % {
            "status": member.get_status_display().lower()})
    if len(reply) > NOTE_MAX:
        raise ValidationError({"reply": _too_long(_("the reply"), reply, NOTE_MAX)})
    member.status = RosterMember.Status.ACCEPTED if accept else RosterMember.Status.DECLINED
    member.reply = reply
    member.decided_by = actor
    member.decided_at = timezone.now()
    member.save(update_fields=["status", "reply", "decided_by", "decided_at"])
    audit_log(actor=actor, action="roster.accept" if accept else "roster.decline", target=member,
              before={"status": RosterMember.Status.APPLIED}, after={"status": member.status}, reason=reply)
    notifications.notify_roster_decided(member)
    return member


@transaction.atomic
def roster_retire(*, actor, member: RosterMember) -> RosterMember:
    """The secretariat takes a member off the roster; their open review requests are withdrawn and they are
    told."""
    check_manage_library(actor)
    member = RosterMember.objects.select_for_update().get(pk=member.pk)
    if member.status != RosterMember.Status.ACCEPTED:
        raise ValidationError(_("%(name)s is not on the roster.") % {"name": member.name})
    member.status = RosterMember.Status.LEFT
    member.save(update_fields=["status"])
    for review in Review.objects.filter(reviewer=member, status=Review.Status.ASSIGNED).select_related("resource"):
        review_cancel(actor=actor, review=review)
    audit_log(actor=actor, action="roster.retire", target=member, before={"status": RosterMember.Status.ACCEPTED},
              after={"status": member.status})
    notifications.notify_roster_retired(member)
    return member


# --- Criteria and export -----------------------------------------------------------------------------------------

@dataclass
class CriterionRow:
    name: str
    description: str = ""
    order: int = 0
    active: bool = True
    pk: int | None = None


@transaction.atomic
def criteria_update(*, actor, intro: str, rows: list[CriterionRow]) -> CriteriaPage:
    """The secretariat edits the criteria page: its introduction (sanitized HTML) and the criteria reviews score.
    A criterion is never deleted, only taken out of use, so past scores keep their meaning."""
    check_manage_library(actor)
    rows = [row for row in rows if _one_line(row.name) or row.pk]
    errors: list[str] = []
    for row in rows:
        row.name = _one_line(row.name)
        row.description = (row.description or "").strip()
        if not row.name:
            errors.append(_("Every criterion needs a name; take it out of use instead of emptying it."))
        elif len(row.name) > 200 or len(row.description) > 1000:
            errors.append(_("Keep “%(name)s” to 200 characters and its explanation to 1,000.") % {"name": row.name[:60]})
    if not any(row.active for row in rows):
        errors.append(_("Keep at least one criterion in use: reviews score them."))
    if errors:
        raise ValidationError(errors)
    page = CriteriaPage.objects.select_for_update().order_by("pk").first() or CriteriaPage()
    before = {"intro": page.intro, "criteria": list(Criterion.objects.values_list("name", "active"))}
    page.intro = clean_html(intro)
    page.updated_by = actor
    page.save()
    existing = Criterion.objects.in_bulk([row.pk for row in rows if row.pk])
    for row in rows:
        criterion = existing.get(row.pk) if row.pk else None
        if criterion is None:
            criterion = Criterion()
        criterion.name, criterion.description = row.name, row.description
        criterion.order, criterion.active = row.order, row.active
        criterion.save()
    audit_log(actor=actor, action="criteria.update", target=page, before=before,
              after={"intro": page.intro, "criteria": list(Criterion.objects.values_list("name", "active"))})
    return page


@transaction.atomic
def library_export(*, actor, resources) -> list[Resource]:
    """Downloading the library (with submitters' names for unpublished resources) is for the secretariat, and
    logged."""
    check_manage_library(actor)
    rows = list(resources)
    audit_log(actor=actor, action="library.export", after={"rows": len(rows)})
    return rows

