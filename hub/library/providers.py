"""The library's side of `workplan.resources`: the published resources of a priority or a GCM objective."""
from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from hub.library.selectors import LibraryFilters, published_resources
from workplan.resources import RelatedResources


class LibraryResources:
    item_template = "library/_resource_item.html"

    def for_priority(self, priority, *, limit: int) -> RelatedResources:
        """The first published resources supporting the priority, in one query."""
        return self._related(LibraryFilters(priority=priority.pk), limit, {"priority": priority.pk})

    def for_objective(self, objective, *, limit: int) -> RelatedResources:
        """The first published resources on the GCM objective, in one query."""
        return self._related(LibraryFilters(objective=objective.pk), limit, {"objective": objective.pk})

    @staticmethod
    def _related(filters: LibraryFilters, limit: int, query: dict) -> RelatedResources:
        items = list(published_resources(filters, with_relations=False)[: limit + 1])
        return RelatedResources(items=items[:limit], has_more=len(items) > limit,
                                library_url=f"{reverse('library:index')}?{urlencode(query)}")
