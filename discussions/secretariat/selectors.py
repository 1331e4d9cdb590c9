"""The secretariat's reads: which comments an export covers, the rows the exports read, the overview, and the
response table with its counts.

The form, the management command and the tests all describe a selection as an `ExportFilters` value, so the
web page, the command line and the downloads can never disagree about which comments match.
"""
from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Attachment, Comment, Discussion, Disposition
from workplan.models import InterestExpression, Priority

STATUS_PUBLISHED = Comment.Status.PUBLISHED.value
STATUS_ALL = "all"
# The response table's filter value for comments still without a response.
NO_RESPONSE = "none"
# Comments are read this many at a time by the exports (see iterate_comments).
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ExportFilters:
    """A selection of comments. Empty fields do not filter; `status` is a Comment.Status value or "all"."""

    discussion_ids: tuple[int, ...] = ()
    question_id: int | None = None
    priority_id: int | None = None
    working_group_id: int | None = None
    stakeholder_group: str = ""
    organisation: str = ""
    status: str = STATUS_PUBLISHED
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    language: str = ""  # a Comment.language value ("fr", "other"); empty for any
    # Human-readable lines describing the filters, for the summary sheet.
    described: tuple[str, ...] = field(default=(), compare=False)


def comments_for_export(filters: ExportFilters) -> QuerySet[Comment]:
    """Comments matching the filters, oldest first; only published ones unless another status is asked for."""
    qs = Comment.objects.all()
    if filters.discussion_ids:
        qs = qs.filter(discussion_id__in=filters.discussion_ids)
    if filters.question_id:
        qs = qs.filter(question_id=filters.question_id)
    if filters.priority_id:
        # A subquery rather than a join, so a comment naming two priorities is never counted twice.
        qs = qs.filter(pk__in=Comment.priorities.through.objects.filter(priority_id=filters.priority_id)
                       .values("comment_id"))
    if filters.working_group_id:
        qs = qs.filter(pk__in=Comment.working_groups.through.objects.filter(workinggroup_id=filters.working_group_id)
                       .values("comment_id"))
    if filters.stakeholder_group:
        qs = qs.filter(author_stakeholder_group=filters.stakeholder_group)
    if filters.organisation:
        qs = qs.filter(author_organisation=filters.organisation)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.status != STATUS_ALL:
        qs = qs.filter(status=filters.status or STATUS_PUBLISHED)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(created_at__gte=datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=tz))
    if filters.date_to:
        # The end date is inclusive: everything before the following midnight.
        end = datetime.datetime.combine(filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("created_at", "id")


def organisations_in_comments() -> list[str]:
    """The organisation names comments are attributed to (the snapshot), for the organisation filter."""
    return list(Comment.objects.exclude(author_organisation="").order_by("author_organisation")
                .values_list("author_organisation", flat=True).distinct())


# --- The rows of an export ----------------------------------------------------------------------------------------

# What a row reads from the comment and its one-to-one neighbours (parent, moderator, response), as plain values.
RECORD_FIELDS: tuple[str, ...] = (
    "id", "discussion_id", "question_id", "parent_id", "depth", "author_name", "author_organisation",
    "author_stakeholder_group", "author_country", "author_badge", "show_personal_name", "body", "body_text", "status", "language",
    "decline_reason", "hidden_reason", "highlighted", "edit_count", "created_at", "moderated_at",
    "moderated_by__username", "moderated_by__profile__display_name", "disposition__outcome",
    "disposition__rationale", "parent__author_name", "parent__author_organisation", "parent__show_personal_name",
    "parent__author_badge",
)


class ExportItem:
    """One comment as an export reads it: its values (a named tuple of RECORD_FIELDS) and its lists."""

    __slots__ = ("record", "priority_ids", "working_group_ids", "attachments")

    def __init__(self, record) -> None:
        self.record = record
        self.priority_ids: list[int] = []
        self.working_group_ids: list[int] = []
        self.attachments: list[tuple[int, str]] = []  # (id, original name)


def export_queryset(filters: ExportFilters) -> QuerySet:
    """The selection as named value tuples, with parent, moderator and response joined in the same query."""
    return comments_for_export(filters).values_list(*RECORD_FIELDS, named=True)


def iterate_comments(filters: ExportFilters) -> Iterator[ExportItem]:
    """Comments of the selection, read in chunks, each chunk's priorities, working groups and attachments
    fetched by one query apiece: memory holds one chunk, and the query count grows by 3 per chunk.

    Django's prefetch_related (which also prefetches per chunk with .iterator(chunk_size)) is not used here: it
    builds a related manager and a queryset for every comment, which made the 100,000-row export five times slower.
    """
    rows = export_queryset(filters).iterator(chunk_size=CHUNK_SIZE)
    while True:
        chunk = [ExportItem(record) for record in itertools.islice(rows, CHUNK_SIZE)]
        if not chunk:
            return
        by_id = {item.record.id: item for item in chunk}
        ids = list(by_id)
        for comment_id, priority_id in Comment.priorities.through.objects.filter(
                comment_id__in=ids).values_list("comment_id", "priority_id"):
            by_id[comment_id].priority_ids.append(priority_id)
        for comment_id, group_id in Comment.working_groups.through.objects.filter(
                comment_id__in=ids).values_list("comment_id", "workinggroup_id"):
            by_id[comment_id].working_group_ids.append(group_id)
        for comment_id, attachment_id, name in Attachment.objects.filter(comment_id__in=ids).order_by(
                "id").values_list("comment_id", "id", "original_name"):
            by_id[comment_id].attachments.append((attachment_id, name))
        yield from chunk


def interest_for_export(filters: ExportFilters) -> QuerySet[InterestExpression]:
    """Expressions of interest in the working groups of the selected discussions' workplans (all, if none chosen)."""
    qs = InterestExpression.objects.select_related("working_group", "organisation").order_by(
        "working_group__name", "created_at", "id")
    if filters.discussion_ids:
        workplan_ids = Discussion.objects.filter(pk__in=filters.discussion_ids).values("workplan_id")
        qs = qs.filter(working_group__workplan_id__in=workplan_ids)
    if filters.working_group_id:
        qs = qs.filter(working_group_id=filters.working_group_id)
    return qs


# --- The overview, the synthesis and the response table -------------------------------------------------------------


def discussions_for_overview() -> QuerySet[Discussion]:
    """Every discussion, newest first, each with its published comments and how many of them have a response
    counted in (one query)."""
    return Discussion.objects.annotate(
        published=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED)),
        responded=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED,
                                             comments__disposition__isnull=False)),
    ).order_by("-opens_at", "title")


def priorities_of_discussion(discussion: Discussion) -> list[Priority]:
    """The priorities of the discussion's workplan in workplan order (none without a workplan)."""
    if not discussion.workplan_id:
        return []
    return list(Priority.objects.filter(workplan_id=discussion.workplan_id).order_by("kind", "number"))


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
    rows = (Comment.objects.filter(discussion=discussion, status=Comment.Status.PUBLISHED)
            .values("disposition__outcome").annotate(n=Count("id")).order_by())
    counts = {value: 0 for value in Disposition.Outcome.values}
    counts[NO_RESPONSE] = 0
    for row in rows:
        counts[row["disposition__outcome"] or NO_RESPONSE] += row["n"]
    return counts


def response_count_rows(discussion: Discussion) -> list[tuple[str, int]]:
    """The response counts labelled for the table's header: each outcome in order, then those without one."""
    counts = response_counts(discussion)
    rows = [(str(label), counts[value]) for value, label in Disposition.Outcome.choices]
    rows.append((_("No response yet"), counts[NO_RESPONSE]))
    return rows
