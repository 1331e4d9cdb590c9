"""Reads of the library. Each returns data with its relations fetched, so templates never query lazily."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, F, IntegerField, Min, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from hub.library.models import (
    SCOPE_RANK, Criterion, CriteriaPage, Language, Resource, Review, ReviewScore, RosterMember, Scope,
)
from hub.library.permissions import can_manage_library, is_submitter
from hub.models import Membership, Profile
from workplan.models import GcmObjective, Priority

REVIEWS_REQUIRED = 2
OPEN_REVIEW = [Review.Status.ASSIGNED, Review.Status.SUBMITTED]


# --- The public library ------------------------------------------------------------------------------------------

@dataclass
class LibraryFilters:
    """What a reader narrows the library to; empty values filter nothing."""

    type: str = ""
    scope: str = ""
    region: str = ""
    objective: int | None = None
    priority: int | None = None
    language: str = ""

    @property
    def active(self) -> bool:
        return any([self.type, self.scope, self.region, self.objective, self.priority, self.language])


def _scope_rank():
    return Case(*[When(scope=scope, then=Value(rank)) for scope, rank in SCOPE_RANK.items()],
                default=Value(len(SCOPE_RANK)), output_field=IntegerField())


def _filtered(queryset: QuerySet, filters: LibraryFilters | None) -> QuerySet:
    if filters is None:
        return queryset
    if filters.type:
        queryset = queryset.filter(type=filters.type)
    if filters.scope:
        queryset = queryset.filter(scope=filters.scope)
    if filters.region:
        queryset = queryset.filter(region=filters.region)
    if filters.objective:
        queryset = queryset.filter(gcm_objectives=filters.objective)
    if filters.priority:
        queryset = queryset.filter(priorities=filters.priority)
    if filters.language:
        queryset = queryset.filter(languages=filters.language)
    return queryset


def library_order(queryset: QuerySet) -> QuerySet:
    """Comprehensive and global resources first, then regional, then national; within each, newest review first."""
    return queryset.annotate(scope_rank=_scope_rank()).order_by("scope_rank", F("published_at").desc(nulls_last=True),
                                                                "-id")


def published_resources(filters: LibraryFilters | None = None, *, with_relations: bool = True) -> QuerySet[Resource]:
    """Published resources matching the filters in the library's order, with languages, objectives and priorities
    (with their workplans) fetched in three more queries per page unless `with_relations` is off."""
    queryset = library_order(_filtered(Resource.objects.filter(status=Resource.Status.PUBLISHED), filters))
    if not with_relations:
        return queryset
    return queryset.prefetch_related(
        "languages", "gcm_objectives",
        Prefetch("priorities", queryset=Priority.objects.select_related("workplan").order_by("kind", "number")))


@dataclass
class FilterChoices:
    languages: list[Language]
    objectives: list[GcmObjective]
    priorities: list[Priority]


def filter_choices() -> FilterChoices:
    """The languages, GCM objectives and active priorities a reader can filter the library by (three queries)."""
    return FilterChoices(
        languages=list(Language.objects.all()),
        objectives=list(GcmObjective.objects.all()),
        priorities=list(Priority.objects.filter(active=True).select_related("workplan")
                        .order_by("-workplan__period_start", "workplan__title", "kind", "number")),
    )


def _detail_queryset() -> QuerySet[Resource]:
    return Resource.objects.select_related("submitter_organisation").prefetch_related(
        "languages", "gcm_objectives",
        Prefetch("priorities", queryset=Priority.objects.select_related("workplan").order_by("kind", "number")))


def can_view_resource(user, resource: Resource) -> bool:
    """Published resources are public; before that only the submitter, the secretariat and its assigned
    reviewers see it."""
    if resource.is_published or is_submitter(user, resource) or can_manage_library(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Review.objects.filter(resource=resource, reviewer__user=user, status__in=OPEN_REVIEW).exists()


def resource_for_view(*, user, pk: int) -> Resource:
    """The resource if the user may see it; 404 otherwise (an unpublished resource does not exist for others)."""
    resource = get_object_or_404(_detail_queryset(), pk=pk)
    if not can_view_resource(user, resource):
        raise Http404("No such resource.")
    return resource


@dataclass
class RoundFeedback:
    round: int
    reviews: list[Review]


def feedback_for_submitter(resource: Resource) -> list[RoundFeedback]:
    """The reviewers' comments for the submitter, by round, once the secretariat has decided on that round.
    Reviewers stay anonymous to the submitter; their notes to the secretariat never appear."""
    decided_round = resource.round if resource.status in (
        Resource.Status.REVISION, Resource.Status.PUBLISHED, Resource.Status.REJECTED) else resource.round - 1
    if decided_round < 1:
        return []
    reviews = (Review.objects.filter(resource=resource, status=Review.Status.SUBMITTED, round__lte=decided_round)
               .only("id", "round", "recommendation", "comments_for_submitter").order_by("-round", "id"))
    by_round: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_round[review.round].append(review)
    return [RoundFeedback(number, items) for number, items in by_round.items()]


def submissions_of(user) -> QuerySet[Resource]:
    """The user's own submissions, any status, newest first."""
    return Resource.objects.filter(submitted_by=user).order_by("-created_at", "-id")


def criteria() -> tuple[CriteriaPage, list[Criterion]]:
    """The criteria page's introduction and the criteria in use (two queries)."""
    page = CriteriaPage.objects.order_by("pk").first() or CriteriaPage()
    return page, list(Criterion.objects.filter(active=True))


# --- Peer review for the secretariat -------------------------------------------------------------------------------

QUEUE_FILTERS: dict[str, list[str] | None] = {
    "to_assign": [Resource.Status.SUBMITTED],
    "in_review": [Resource.Status.IN_REVIEW],
    "revision": [Resource.Status.REVISION],
    "decided": [Resource.Status.PUBLISHED, Resource.Status.REJECTED],
    "all": None,
}


def _round_review_counts(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    this_round = Q(reviews__round=F("round"))
    return queryset.annotate(
        open_reviews=Count("reviews", filter=this_round & Q(reviews__status=Review.Status.ASSIGNED)),
        done_reviews=Count("reviews", filter=this_round & Q(reviews__status=Review.Status.SUBMITTED)),
        next_due=Min("reviews__due_date", filter=this_round & Q(reviews__status=Review.Status.ASSIGNED)),
    )


def review_queue(status: str = "to_assign") -> QuerySet[Resource]:
    """Submissions for the secretariat with this round's open and submitted reviews counted: those waiting for
    reviewers oldest first, those in review by their next deadline, decided ones newest first."""
    statuses = QUEUE_FILTERS.get(status, QUEUE_FILTERS["to_assign"])
    queryset = Resource.objects.select_related("submitter_organisation")
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    queryset = _round_review_counts(queryset)
    if status == "to_assign":
        return queryset.order_by("submitted_at", "id")
    if status == "in_review":
        return queryset.order_by(F("next_due").asc(nulls_last=True), "submitted_at", "id")
    return queryset.order_by(F("decided_at").desc(nulls_last=True), "-id")


def queue_counts() -> dict[str, int]:
    """How many resources each queue tab holds, in one query."""
    totals = Resource.objects.aggregate(**{
        key: Count("id", filter=Q(status__in=statuses)) for key, statuses in QUEUE_FILTERS.items() if statuses})
    return {key: totals.get(key, 0) for key in QUEUE_FILTERS if QUEUE_FILTERS[key]}


def resource_for_management(pk: int) -> Resource:
    """A resource with every review of every round, their reviewers and scores, for the secretariat; or 404."""
    reviews = (Review.objects.select_related("reviewer", "assigned_by__profile")
               .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion")))
               .order_by("-round", "id"))
    return get_object_or_404(
        _detail_queryset().select_related("decided_by__profile").prefetch_related(Prefetch("reviews", queryset=reviews)),
        pk=pk)


def reviews_of_round(resource: Resource) -> list[Review]:
    """This round's reviews of a resource fetched by `resource_for_management` (no query)."""
    return [review for review in resource.reviews.all() if review.round == resource.round]


@dataclass
class Suggestion:
    member: RosterMember
    expertise: list[GcmObjective]
    languages: list[Language]
    load: int
    reviewed_before: bool

    @property
    def overlap(self) -> int:
        return len(self.expertise) + len(self.languages)


def _open_loads(member_ids: list[int]) -> dict[int, int]:
    rows = (Review.objects.filter(reviewer_id__in=member_ids, status=Review.Status.ASSIGNED)
            .values("reviewer_id").annotate(n=Count("id")))
    return {row["reviewer_id"]: row["n"] for row in rows}


def reviewer_suggestions(resource: Resource) -> list[Suggestion]:
    """Roster members who may review this round, best match first: most shared GCM objectives and languages,
    then the lightest load. The submitter, their organisation's members and anyone already asked this round are
    left out (the service enforces the same rule)."""
    submitter_orgs = {resource.submitter_organisation_id}
    if resource.submitted_by_id:
        submitter_orgs.update(Profile.objects.filter(user_id=resource.submitted_by_id)
                              .exclude(membership=Membership.REFUSED).values_list("organisation", flat=True))
    submitter_orgs.discard(None)
    already = Review.objects.filter(resource=resource, round=resource.round).values("reviewer_id")
    claimed = Q(user__profile__organisation__in=submitter_orgs) & ~Q(user__profile__membership=Membership.REFUSED)
    members = (RosterMember.objects.filter(status=RosterMember.Status.ACCEPTED)
               .exclude(pk__in=already)
               .exclude(organisation__in=submitter_orgs)
               .exclude(claimed)
               .prefetch_related("expertise", "languages"))
    if resource.submitted_by_id:
        members = members.exclude(user_id=resource.submitted_by_id)
    members = list(members)
    loads = _open_loads([m.pk for m in members])
    earlier = set(Review.objects.filter(resource=resource, round__lt=resource.round, status=Review.Status.SUBMITTED)
                  .values_list("reviewer_id", flat=True))
    objectives = {o.pk: o for o in resource.gcm_objectives.all()}
    languages = {lang.pk: lang for lang in resource.languages.all()}
    suggestions = [
        Suggestion(member=m, expertise=[o for o in m.expertise.all() if o.pk in objectives],
                   languages=[lang for lang in m.languages.all() if lang.pk in languages],
                   load=loads.get(m.pk, 0), reviewed_before=m.pk in earlier)
        for m in members
    ]
    suggestions.sort(key=lambda s: (-s.overlap, s.load, s.member.name.lower(), s.member.pk))
    return suggestions


# --- The roster --------------------------------------------------------------------------------------------------

@dataclass
class ReviewerStats:
    open: int = 0
    overdue: int = 0
    submitted: int = 0
    declined: int = 0
    turnaround_days: list[float] = field(default_factory=list)

    @property
    def average_days(self) -> float | None:
        """Average days from assignment to submitted review."""
        if not self.turnaround_days:
            return None
        return round(sum(self.turnaround_days) / len(self.turnaround_days), 1)


def _stats_for(member_ids: list[int], today: date) -> dict[int, ReviewerStats]:
    stats: dict[int, ReviewerStats] = defaultdict(ReviewerStats)
    rows = Review.objects.filter(reviewer_id__in=member_ids).values_list(
        "reviewer_id", "status", "assigned_at", "closed_at", "due_date")
    for reviewer_id, status, assigned_at, closed_at, due_date in rows:
        entry = stats[reviewer_id]
        if status == Review.Status.ASSIGNED:
            entry.open += 1
            if due_date < today:
                entry.overdue += 1
        elif status == Review.Status.SUBMITTED:
            entry.submitted += 1
            if closed_at and assigned_at:
                entry.turnaround_days.append((closed_at - assigned_at).total_seconds() / 86400)
        elif status == Review.Status.DECLINED:
            entry.declined += 1
    return stats


@dataclass
class RosterRow:
    member: RosterMember
    stats: ReviewerStats


ROSTER_FILTERS = {
    "applied": [RosterMember.Status.APPLIED],
    "accepted": [RosterMember.Status.ACCEPTED],
    "past": [RosterMember.Status.DECLINED, RosterMember.Status.LEFT],
}


def roster(status: str = "accepted") -> list[RosterRow]:
    """Roster members (or applications) with their expertise, languages, load and turnaround, in four queries."""
    statuses = ROSTER_FILTERS.get(status, ROSTER_FILTERS["accepted"])
    queryset = (RosterMember.objects.filter(status__in=statuses)
                .select_related("organisation", "user").prefetch_related("expertise", "languages"))
    if status == "applied":
        queryset = queryset.order_by("created_at", "id")  # first come, first decided
    members = list(queryset)
    stats = _stats_for([m.pk for m in members], timezone.localdate())
    return [RosterRow(member, stats.get(member.pk, ReviewerStats())) for member in members]


def roster_counts() -> dict[str, int]:
    """How many roster members or applications each tab holds (one query)."""
    totals = RosterMember.objects.aggregate(**{
        key: Count("id", filter=Q(status__in=statuses)) for key, statuses in ROSTER_FILTERS.items()})
    return {key: totals[key] for key in ROSTER_FILTERS}


def roster_membership(user) -> RosterMember | None:
    """The user's current application or membership (the latest one otherwise), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    memberships = list(RosterMember.objects.filter(user=user).order_by("-created_at", "-id")[:5])
    current = [m for m in memberships if m.status in (RosterMember.Status.APPLIED, RosterMember.Status.ACCEPTED)]
    return (current or memberships or [None])[0]


@dataclass
class ReviewerPage:
    membership: RosterMember | None
    open: list[Review]
    history: list[Review]
    stats: ReviewerStats


def reviewer_page(user) -> ReviewerPage:
    """A reviewer's own assignments: open ones by deadline, then their history, with their numbers."""
    membership = roster_membership(user)
    reviews = list(Review.objects.filter(reviewer__user=user).select_related("resource")
                   .order_by("due_date", "id"))
    open_reviews = [r for r in reviews if r.status == Review.Status.ASSIGNED]
    history = sorted((r for r in reviews if r.status != Review.Status.ASSIGNED),
                     key=lambda r: (r.closed_at or r.assigned_at), reverse=True)
    stats = ReviewerStats()
    today = timezone.localdate()
    for review in reviews:
        if review.status == Review.Status.ASSIGNED:
            stats.open += 1
            stats.overdue += review.due_date < today
        elif review.status == Review.Status.SUBMITTED:
            stats.submitted += 1
            if review.closed_at:
                stats.turnaround_days.append((review.closed_at - review.assigned_at).total_seconds() / 86400)
        elif review.status == Review.Status.DECLINED:
            stats.declined += 1
    return ReviewerPage(membership, open_reviews, history, stats)


def review_for_reviewer(*, user, pk: int) -> Review:
    """A review for its reviewer, with the resource to review; 404 for anyone else (they do not learn it exists)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such review.")
    review = get_object_or_404(
        Review.objects.select_related("reviewer", "resource").prefetch_related(
            Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))),
        pk=pk, reviewer__user=user)
    resource = get_object_or_404(_detail_queryset(), pk=review.resource_id)
    review.resource = resource
    return review


# --- Export ------------------------------------------------------------------------------------------------------

EXPORT_FILTERS = {"published": [Resource.Status.PUBLISHED], "all": None}


def resources_for_export(status: str = "published") -> QuerySet[Resource]:
    """Resources in the library's order with everything an export row needs, in four queries."""
    statuses = EXPORT_FILTERS.get(status, EXPORT_FILTERS["published"])
    queryset = Resource.objects.all()
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    return library_order(queryset).select_related("submitter_organisation").prefetch_related(
        "languages", "gcm_objectives",
        Prefetch("priorities", queryset=Priority.objects.select_related("workplan").order_by("kind", "number")))


def scope_choices() -> list[tuple[str, str]]:
    return list(Scope.choices)
