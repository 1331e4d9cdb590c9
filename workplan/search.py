"""What the workplan offers to the site search (hub.search): active priorities and working groups, which are
public on the workplan pages. Registered in WorkplanConfig.ready()."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hub.search.normalize import guess_language
from hub.search.registry import SearchDoc
from hub.text import html_to_text
from workplan.models import Priority, WorkingGroup, Workplan


def _batches(pks: list[int] | None, size: int = 500):
    if pks is None:
        yield None
        return
    for start in range(0, len(pks), size):
        yield pks[start:start + size]


class PrioritySearch:
    kind = "priority"  # hub.search offers the priority filter from these entries
    label = _("Priorities")
    models = [Priority, Workplan]

    def owner_pks(self, instance) -> list[int]:
        if isinstance(instance, Priority):
            return [instance.pk]
        return list(Priority.objects.filter(workplan_id=instance.pk).values_list("pk", flat=True))

    def documents(self, pks: list[int] | None) -> Iterable[SearchDoc]:
        # A workplan has tens of priorities: a batch of 500 is every priority there is.
        for batch in _batches(pks):
            priorities = Priority.objects.filter(active=True).select_related("workplan").order_by("pk")
            if batch is not None:
                priorities = priorities.filter(pk__in=batch)
            for priority in priorities:
                description = html_to_text(priority.description)
                # Indexed under its English name ("New Priority 5") whatever the language of the request that saved.
                with translation.override("en"):
                    names = f"{priority.label} ({priority.code})"
                body = "\n\n".join(part for part in (names, description, priority.pd_references) if part)
                yield SearchDoc(
                    kind=self.kind, pk=priority.pk, title=f"{priority.code}: {priority.title}", body=body,
                    language=guess_language(f"{priority.title} {description}") or "en",
                    url=priority.get_absolute_url(), date=None, priority_ids=[priority.pk],
                )


class WorkingGroupSearch:
    kind = "working_group"
    label = _("Working groups")
    models = [WorkingGroup, Workplan, WorkingGroup.priorities.through, WorkingGroup.co_leads.through]

    def owner_pks(self, instance) -> list[int]:
        if isinstance(instance, WorkingGroup):
            return [instance.pk]
        return list(WorkingGroup.objects.filter(workplan_id=instance.pk).values_list("pk", flat=True))

    def documents(self, pks: list[int] | None) -> Iterable[SearchDoc]:
        for batch in _batches(pks):
            groups = WorkingGroup.objects.select_related("workplan").order_by("pk")
            if batch is not None:
                groups = groups.filter(pk__in=batch)
            groups = list(groups)
            ids = [g.pk for g in groups]
            priorities, co_leads = defaultdict(list), defaultdict(list)
            for group_id, priority_id in (WorkingGroup.priorities.through.objects
                                          .filter(workinggroup_id__in=ids, priority__active=True)
                                          .values_list("workinggroup_id", "priority_id")):
                priorities[group_id].append(priority_id)
            for group_id, name in (WorkingGroup.co_leads.through.objects.filter(workinggroup_id__in=ids)
                                   .order_by("organisation__name").values_list("workinggroup_id", "organisation__name")):
                co_leads[group_id].append(name)
            for group in groups:
                description = html_to_text(group.description)
                leads = ", ".join(co_leads.get(group.pk, []))
                body = "\n\n".join(part for part in (description, leads) if part)
                yield SearchDoc(
                    kind=self.kind, pk=group.pk, title=group.name, body=body,
                    language=guess_language(f"{group.name} {description}") or "en",
                    url=group.get_absolute_url(), date=None, priority_ids=priorities.get(group.pk, []),
                )


def register() -> None:
    from hub.search import registry

    registry.register(PrioritySearch())
    registry.register(WorkingGroupSearch())
