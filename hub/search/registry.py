"""What each app offers to search: providers register here in their AppConfig.ready().

    from hub.search import registry
    registry.register(MyProvider())

A provider is any object with:

- ``kind`` (str, at most 32 characters): "comment", "resource", ...;
- ``label``: a lazily translated plural name for the kind filter, e.g. ``_("Comments")``;
- ``models``: the models whose save or delete changes what the provider indexes. The search app connects
  post_save and post_delete for each (the index is derived data, like a cache: this is the one place where a
  signal triggers work) and reindexes on commit. An auto-created many-to-many table (``Comment.priorities.through``)
  may be listed too: a change of the relation then counts as a change of the object that declares the field;
- ``owner_pks(instance) -> list[int]``: for an instance of one of ``models`` (for a many-to-many table: of the
  model declaring the field), the pks of the indexed objects to refresh. Called at commit time after a save, at
  once after a delete;
- ``documents(pks: list[int] | None) -> Iterable[SearchDoc]``: the documents of those objects (of all objects when
  ``pks`` is None), in a fixed number of queries per batch. An object that must not be found (a draft, a pending
  comment) is simply not yielded, or yielded with ``visibility`` other than "public": either way it leaves the
  index.

Only public documents are indexed: whatever is in the index anybody may find, so nothing is filtered per user and
moderators get no more results than visitors.

Two kinds have a second use: the entries of kind "discussion" name the discussion filter's choices and the
discussion each hit belongs to (through SearchDoc.discussion_id), and those of kind "priority" name the priority
filter's choices (SearchDoc.priority_ids).
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import Model

PUBLIC = "public"


@dataclass
class SearchDoc:
    kind: str
    pk: int
    title: str
    body: str = ""  # plain text
    extra_text: str = ""  # attachments' text and the like, weighted lower than the body
    language: str = ""  # 'en', 'fr', 'es', 'ar' or '' when unknown (searched without stemming)
    url: str = ""
    date: datetime.datetime | None = None
    discussion_id: int | None = None
    priority_ids: list[int] = field(default_factory=list)
    visibility: str = PUBLIC  # anything else is not indexed

    @property
    def public(self) -> bool:
        return self.visibility == PUBLIC


class Provider(Protocol):
    kind: str
    label: str
    models: list[type[Model]]

    def owner_pks(self, instance: Model) -> list[int]: ...

    def documents(self, pks: list[int] | None) -> Iterable[SearchDoc]: ...


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Add a provider (registering the same kind again replaces it) and watch its models for changes."""
    if not provider.kind or len(provider.kind) > 32:
        raise ValueError(f"A search kind is 1 to 32 characters: {provider.kind!r}")
    _providers[provider.kind] = provider
    from hub.search import indexing

    indexing.watch(provider)


def unregister(kind: str) -> None:
    """Forget a provider (tests); its signal handlers stay but find no provider and do nothing."""
    _providers.pop(kind, None)


def providers() -> list[Provider]:
    """Every registered provider, in registration order."""
    return list(_providers.values())


def provider(kind: str) -> Provider | None:
    return _providers.get(kind)


def kinds() -> list[tuple[str, str]]:
    """(kind, label) pairs for the kind filter."""
    return [(p.kind, p.label) for p in _providers.values()]
