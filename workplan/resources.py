"""How workplan pages show the library's resources on a priority or a GCM objective, without `workplan`
importing the library.

Dependencies point one way (library → workplan → hub). The library app registers a provider in its
AppConfig.ready(); workplan views ask this module. With no provider registered (no library installed), priority and
objective pages simply have no resources section.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class RelatedResources:
    """Published resources on one priority or objective: the first few, whether there are more, and where the
    library lists them all."""

    items: list = field(default_factory=list)
    has_more: bool = False
    library_url: str = ""


class ResourceProvider(Protocol):
    #: Template rendered for each item, with the item in the context as `resource`.
    item_template: str

    def for_priority(self, priority, *, limit: int) -> RelatedResources:
        """Published resources supporting the priority, in the library's order, in a fixed number of queries."""

    def for_objective(self, objective, *, limit: int) -> RelatedResources:
        """Published resources on the GCM objective, in the library's order, in a fixed number of queries."""


_provider: ResourceProvider | None = None


def register(provider: ResourceProvider) -> None:
    global _provider
    _provider = provider


def provider() -> ResourceProvider | None:
    return _provider
