"""Reads for moderators: the review queue, one comment with everything around it, the dashboard, the audit log.
Each returns its rows with related objects loaded, so pages run a fixed number of queries."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import (CharField, Count, Exists, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery,
                              Value)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from discussions.models import Comment, CommentVersion, Discussion, Flag, ModeratorNote, Question
from discussions.permissions import in_moderation_scope, moderated_discussion_ids
from hub.models import AuditEntry, Organisation, StakeholderGroup
from workplan.models import Priority

QUEUE_STATUSES = (Comment.Status.PENDING,)


def moderated_discussions(user) -> QuerySet[Discussion]:
    """The discussions whose queue the user works: all for site moderators, otherwise those listing them."""
    return Discussion.objects.filter(in_moderation_scope(user, "pk")).order_by("title")


def _open_flags() -> Flag:
    return Flag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)


def _author_count(user, status: str) -> Subquery:
    """How many of the author's comments have the status, in the discussions the user moderates: a moderator of
    one discussion learns nothing of what happens in others."""
    return Coalesce(Subquery(
        Comment.objects.filter(in_moderation_scope(user), author=OuterRef("author"), status=status).order_by()
        .values("author").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField()), Value(0))


@dataclass
class QueueFilters:
    discussion: int | None = None
    question: int | None = None
    priority: int | None = None
    organisation: int | None = None
    stakeholder_group: str = ""
    flagged: bool = False


def review_queue(user, filters: QueueFilters | None = None) -> QuerySet[Comment]:
    """Pending comments and comments with open reports in the user's discussions, oldest first, with everything an
    item shows: body, attachments, author and organisation, question and parent, the author's history, reports."""
    f = filters or QueueFilters()
    qs = (Comment.objects.filter(in_moderation_scope(user))
          .annotate(open_flag_count=Coalesce(Subquery(
              Flag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True).order_by()
              .values("comment").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0))))
    if f.flagged:
        qs = qs.filter(Exists(_open_flags()))
    else:
        qs = qs.filter(Q(status__in=QUEUE_STATUSES) | Exists(_open_flags()))
    if f.discussion:
        qs = qs.filter(discussion_id=f.discussion)
    if f.question:
        qs = qs.filter(question_id=f.question)
    if f.priority:
        qs = qs.filter(priorities=f.priority)
    if f.organisation:
        qs = qs.filter(author__profile__organisation_id=f.organisation)
    if f.stakeholder_group:
        qs = qs.filter(author_stakeholder_group=f.stakeholder_group)
    return (qs.select_related("discussion", "question", "parent", "author__profile__organisation")
            .annotate(author_published=_author_count(user, Comment.Status.PUBLISHED),
                      author_declined=_author_count(user, Comment.Status.DECLINED))
            .prefetch_related(
                "attachments", "priorities", "working_groups",
                Prefetch("flags", queryset=Flag.objects.filter(resolved_at__isnull=True)
                         .select_related("reporter__profile").order_by("created_at"), to_attr="open_flags"))
            .order_by("created_at", "id"))


@dataclass
class QueueCounts:
    pending: int
    flagged: int
    per_discussion: list[dict]


def queue_counts(user) -> QueueCounts:
    """How much waits, overall and per discussion (one query)."""
    rows = list(Comment.objects.filter(in_moderation_scope(user))
                .filter(Q(status__in=QUEUE_STATUSES) | Exists(_open_flags()))
                .annotate(is_flagged=Exists(_open_flags()))
                .values("discussion_id", "discussion__title", "discussion__slug")
                .annotate(pending=Count("pk", filter=Q(status__in=QUEUE_STATUSES)),
                          flagged=Count("pk", filter=Q(is_flagged=True)),
                          oldest=Min("created_at", filter=Q(status__in=QUEUE_STATUSES)))
                .order_by("discussion__title"))
    return QueueCounts(pending=sum(r["pending"] for r in rows), flagged=sum(r["flagged"] for r in rows),
                       per_discussion=rows)


@dataclass
class FilterOptions:
    discussions: list
    questions: list
    priorities: list
    organisations: list
    stakeholder_groups: list


def queue_filter_options(user) -> FilterOptions:
    """The choices of the queue's filters, limited to the user's discussions."""
    discussions = list(moderated_discussions(user).only("pk", "title", "workplan_id"))
    ids = [d.pk for d in discussions]
    workplans = {d.workplan_id for d in discussions if d.workplan_id}
    questions = list(Question.objects.filter(discussion_id__in=ids).select_related("discussion")
                     .only("pk", "text", "order", "discussion__title").order_by("discussion__title", "order", "pk"))
    priorities = list(Priority.objects.filter(workplan_id__in=workplans).order_by("kind", "number"))
    organisations = list(Organisation.objects.filter(profiles__user__comments__discussion_id__in=ids)
                         .distinct().order_by("name").only("pk", "name", "acronym"))
    return FilterOptions(discussions, questions, priorities, organisations, list(StakeholderGroup.choices))


def comment_for_moderation(pk: int, user) -> Comment:
    """One comment with what its moderation page shows (reports, notes, versions are loaded separately); the
    author's history counts only the discussions the user moderates."""
    return (Comment.objects.select_related("discussion__workplan", "question", "parent", "author__profile__organisation")
            .annotate(author_published=_author_count(user, Comment.Status.PUBLISHED),
                      author_declined=_author_count(user, Comment.Status.DECLINED))
            .prefetch_related("attachments", "priorities", "working_groups")
            .get(pk=pk))


def comment_moderation_context(comment: Comment, user) -> dict:
    """Reports (open and answered), notes, earlier versions and the audit trail of one comment, and the author's
    latest other comments in the discussions the user moderates (only those: the rest is not theirs to see)."""
    return {
        "flags": list(Flag.objects.filter(comment=comment).select_related("reporter__profile", "resolved_by__profile")),
        "notes": list(ModeratorNote.objects.filter(comment=comment)),
        "versions": comment_versions(comment),
        "audit": list(audit_for_object(comment)),
        "author_recent": list(Comment.objects.filter(in_moderation_scope(user), author_id=comment.author_id)
                              .exclude(pk=comment.pk)
                              .select_related("discussion").order_by("-created_at")[:10]) if comment.author_id else [],
    }


def comment_versions(comment: Comment) -> list[CommentVersion]:
    """Every earlier text of the comment, newest first."""
    return list(CommentVersion.objects.filter(comment=comment).order_by("-created_at", "-id"))


def audit_for_object(obj) -> QuerySet[AuditEntry]:
    """The audit entries about one object (a comment, a question, a discussion), newest first."""
    ct = ContentType.objects.get_for_model(obj)
    return AuditEntry.objects.filter(target_type=ct, target_id=str(obj.pk)).order_by("-created_at", "-id")


# --- The audit log list -------------------------------------------------------------------------------------------

MODERATION_TARGETS = (Comment, Question, Discussion)


def _as_text(qs: QuerySet) -> QuerySet:
    return qs.annotate(pk_text=Cast("pk", output_field=CharField())).values("pk_text")


def audit_scope(user, discussion_id: int | None = None) -> Q:
    """Entries about comments, questions and discussions the user moderates (everything for site moderators)."""
    cts = ContentType.objects.get_for_models(*MODERATION_TARGETS)
    ct_comment, ct_question, ct_discussion = (cts[Comment], cts[Question], cts[Discussion])
    scope = moderated_discussion_ids(user)
    if discussion_id is None and scope is None:
        return Q(target_type__in=[ct_comment, ct_question, ct_discussion])
    ids = [discussion_id] if discussion_id is not None else sorted(scope)
    if discussion_id is not None and scope is not None and discussion_id not in scope:
        ids = []
    return (Q(target_type=ct_comment, target_id__in=_as_text(Comment.objects.filter(discussion_id__in=ids)))
            | Q(target_type=ct_question, target_id__in=_as_text(Question.objects.filter(discussion_id__in=ids)))
            | Q(target_type=ct_discussion, target_id__in=[str(i) for i in ids]))


@dataclass
class AuditFilters:
    discussion: int | None = None
    action: str = ""
    actor: str = ""
    comment: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_entries(user, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The moderation audit log the user may read, newest first, filtered."""
    f = filters or AuditFilters()
    qs = AuditEntry.objects.filter(audit_scope(user, f.discussion))
    if f.action:
        qs = qs.filter(action=f.action)
    if f.actor:
        qs = qs.filter(actor_name__icontains=f.actor)
    if f.comment:
        qs = qs.filter(target_type=ContentType.objects.get_for_model(Comment), target_id=str(f.comment))
    if f.since:
        qs = qs.filter(created_at__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__lt=f.until)
    return qs.select_related("target_type").order_by("-created_at", "-id")


# --- The dashboard --------------------------------------------------------------------------------------------

@dataclass
class Dashboard:
    rows: list[dict]
    pending: int
    flagged: int
    oldest: Comment | None
    median_seconds: float | None
    decisions: int


def moderation_dashboard(user, now: datetime | None = None, days: int = 30) -> Dashboard:
    """Queue size per discussion, the oldest waiting item, and the median wait before a decision (last 30 days)."""
    now = now or timezone.now()
    counts = queue_counts(user)
    oldest = (Comment.objects.filter(in_moderation_scope(user), status__in=QUEUE_STATUSES)
              .select_related("discussion").order_by("created_at", "id").first())
    waits = [e.after.get("waited_seconds") for e in
             AuditEntry.objects.filter(audit_scope(user), action__in=["comment.publish", "comment.decline"],
                                       created_at__gte=now - timedelta(days=days)).only("after")]
    waits = [w for w in waits if isinstance(w, (int, float))]
    by_id = {row["discussion_id"]: row for row in counts.per_discussion}
    rows = [by_id.get(d.pk) or {"discussion_id": d.pk, "discussion__title": d.title, "discussion__slug": d.slug,
                                "pending": 0, "flagged": 0, "oldest": None}
            for d in moderated_discussions(user).only("pk", "title", "slug")]
    return Dashboard(rows=rows, pending=counts.pending, flagged=counts.flagged, oldest=oldest,
                     median_seconds=statistics.median(waits) if waits else None, decisions=len(waits))
