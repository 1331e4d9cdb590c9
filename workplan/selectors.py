"""Reads of the workplan. Each returns data with its relations fetched, so templates never query lazily."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from hub.models import Organisation
from workplan import feedback, resources
from workplan.models import GcmObjective, InterestExpression, Priority, WorkingGroup, Workplan


def workplan_list() -> QuerySet[Workplan]:
    """All workplans, newest period first."""
    return Workplan.objects.all()


def workplan_by_slug(slug: str) -> Workplan:
    """The workplan or 404."""
    return get_object_or_404(Workplan, slug=slug)


@dataclass
class PriorityRow:
    priority: Priority
    working_groups: list[WorkingGroup]
    comment_count: int


@dataclass
class WorkplanOverview:
    workplan: Workplan
    new: list[PriorityRow]
    ongoing: list[PriorityRow]
    working_groups: list[WorkingGroup]


def workplan_overview(workplan: Workplan) -> WorkplanOverview:
    """Active priorities grouped New / Ongoing with their groups and published comment counts, in fixed queries."""
    groups = list(WorkingGroup.objects.filter(workplan=workplan).prefetch_related("co_leads"))
    by_id = {group.pk: group for group in groups}
    priorities = list(
        Priority.objects.filter(workplan=workplan, active=True)
        .prefetch_related(Prefetch("working_groups", queryset=WorkingGroup.objects.only("id")))
        .order_by("order", "number")
    )
    counts = feedback.published_counts([p.pk for p in priorities])
    rows: dict[str, list[PriorityRow]] = {Priority.Kind.NEW: [], Priority.Kind.ONGOING: []}
    for priority in priorities:
        priority.workplan = workplan
        carried_by = [by_id[g.pk] for g in priority.working_groups.all() if g.pk in by_id]
        rows[priority.kind].append(PriorityRow(priority, carried_by, counts.get(priority.pk, 0)))
    for group in groups:
        group.workplan = workplan
    return WorkplanOverview(workplan, rows[Priority.Kind.NEW], rows[Priority.Kind.ONGOING], groups)


def priority_by_code(workplan_slug: str, code: str) -> Priority:
    """The active priority with the code ("np5", "OP3") in the workplan, with its objectives and groups; or 404."""
    code = code.upper()
    kinds = {prefix: kind for kind, prefix in Priority.CODE_PREFIX.items()}
    if len(code) < 3 or code[:2] not in kinds or not code[2:].isdigit():
        raise Http404("No such priority.")
    queryset = (Priority.objects.select_related("workplan")
                .prefetch_related("gcm_objectives", "working_groups"))
    return get_object_or_404(queryset, workplan__slug=workplan_slug, kind=kinds[code[:2]], number=int(code[2:]),
                             active=True)


def priority_feedback(priority: Priority) -> QuerySet | None:
    """Published comments naming the priority, newest first; None when no discussions app provides feedback."""
    provider = feedback.provider()
    if provider is None:
        return None
    return provider.published_feedback(priority)


def feedback_item_template() -> str | None:
    """The template the feedback provider renders each item with; None without a provider."""
    provider = feedback.provider()
    return provider.item_template if provider is not None else None


RESOURCES_SHOWN = 10


def priority_resources(priority: Priority) -> resources.RelatedResources | None:
    """The first published library resources supporting the priority; None when no library provides them."""
    provider = resources.provider()
    return provider.for_priority(priority, limit=RESOURCES_SHOWN) if provider is not None else None


def objective_resources(objective: GcmObjective) -> resources.RelatedResources | None:
    """The first published library resources on the GCM objective; None when no library provides them."""
    provider = resources.provider()
    return provider.for_objective(objective, limit=RESOURCES_SHOWN) if provider is not None else None


def resource_item_template() -> str | None:
    """The template the resource provider renders each item with; None without a provider."""
    provider = resources.provider()
    return provider.item_template if provider is not None else None


def objective_with_priorities(number: int) -> GcmObjective:
    """The GCM objective with the active priorities (and their workplans) that serve it; or 404."""
    return get_object_or_404(
        GcmObjective.objects.prefetch_related(Prefetch(
            "priorities", queryset=Priority.objects.filter(active=True).select_related("workplan")
            .order_by("-workplan__period_start", "workplan__title", "kind", "number"))),
        number=number)


def working_group_by_slug(workplan_slug: str, group_slug: str) -> WorkingGroup:
    """The working group with its workplan, priorities, co-leads and members; or 404."""
    queryset = WorkingGroup.objects.select_related("workplan").prefetch_related(
        Prefetch("priorities", queryset=Priority.objects.filter(active=True).order_by("kind", "order", "number")),
        Prefetch("co_leads", queryset=Organisation.objects.order_by("name")),
        Prefetch("members", queryset=Organisation.objects.order_by("name")),
    )
    group = get_object_or_404(queryset, workplan__slug=workplan_slug, slug=group_slug)
    for priority in group.priorities.all():
        priority.workplan = group.workplan
    return group


def interest_expressions_of_organisation(organisation: Organisation | None, *,
                                         working_group: WorkingGroup | None = None) -> list[InterestExpression]:
    """The organisation's expressions of interest, newest first (optionally for one group)."""
    if organisation is None:
        return []
    queryset = (InterestExpression.objects.filter(organisation=organisation)
                .select_related("working_group__workplan", "submitted_by__profile"))
    if working_group is not None:
        queryset = queryset.filter(working_group=working_group)
    return list(queryset.order_by("-created_at", "-id"))


QUEUE_FILTERS = {
    "pending": [InterestExpression.Status.PENDING],
    "decided": [InterestExpression.Status.ACCEPTED, InterestExpression.Status.DECLINED],
    "all": None,
}


def interest_queue(status: str = "pending") -> QuerySet[InterestExpression]:
    """Expressions of interest for the secretariat: oldest pending first, or decided ones newest first."""
    queryset = InterestExpression.objects.select_related(
        "working_group__workplan", "organisation", "submitted_by__profile", "decided_by__profile")
    statuses = QUEUE_FILTERS.get(status, QUEUE_FILTERS["pending"])
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    if status == "pending":
        return queryset.order_by("created_at", "id")
    return queryset.order_by("-created_at", "-id")
