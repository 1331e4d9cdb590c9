"""Keeping the index in step with the apps' tables.

A save or delete of a model a provider watches schedules a reindex of the objects it concerns, once per
transaction and after it commits (nothing is indexed that is rolled back; a transaction that saves a comment ten
times reindexes it once). The index is derived data, like a cache, which is why signals drive it here and nowhere
else. Reindexing never raises into the code that saved: a failure is logged, and `rebuild_search_index` repairs
everything.

Every write to SearchEntry goes through `write()`, which also keeps SQLite's FTS table in step.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from hub.search import backends, registry
from hub.search.models import SearchEntry
from hub.search.normalize import LANGUAGES, clean_text

log = logging.getLogger("hub.search")

BATCH = 500
MAX_TITLE = 300
MAX_BODY = 100_000
MAX_EXTRA = 150_000
MAX_URL = 500
MAX_PRIORITIES = 500
UPDATED_FIELDS = ["title", "body", "extra", "language", "url", "date", "discussion_id", "priorities", "indexed_at"]


# --- building entries ------------------------------------------------------------------------------------------

def _priorities(ids: Iterable[int]) -> str:
    text = "|"
    for pk in sorted({int(pk) for pk in ids}):
        if len(text) + len(str(pk)) + 1 > MAX_PRIORITIES:
            break
        text += f"{pk}|"
    return "" if text == "|" else text


def entry_for(doc: registry.SearchDoc) -> SearchEntry:
    """The index row of a document: clean text within the size limits."""
    return SearchEntry(
        kind=doc.kind, object_id=doc.pk,
        title=clean_text(doc.title, MAX_TITLE) or "-", body=clean_text(doc.body, MAX_BODY),
        extra=clean_text(doc.extra_text, MAX_EXTRA),
        language=doc.language if doc.language in LANGUAGES else "",
        url=(doc.url or "")[:MAX_URL], date=doc.date, discussion_id=doc.discussion_id,
        priorities=_priorities(doc.priority_ids or []),
    )


def write(kind: str, docs: list[registry.SearchDoc], *, remove: Iterable[int] = ()) -> None:
    """Insert or update the entries of `docs` (public ones; others are removed) and remove the objects `remove`."""
    entries = {doc.pk: entry_for(doc) for doc in docs if doc.kind == kind and doc.public}
    gone = ({int(pk) for pk in remove} | {doc.pk for doc in docs if not doc.public}) - set(entries)
    touched = sorted(set(entries) | gone)
    if not touched:
        return
    with transaction.atomic():
        old_ids = (list(SearchEntry.objects.filter(kind=kind, object_id__in=touched).values_list("id", flat=True))
                   if connection.vendor == "sqlite" else [])
        if gone:
            SearchEntry.objects.filter(kind=kind, object_id__in=sorted(gone)).delete()
        if entries:
            SearchEntry.objects.bulk_create(list(entries.values()), update_conflicts=True,
                                            unique_fields=["kind", "object_id"], update_fields=UPDATED_FIELDS)
        backends.sqlite_sync(kind, sorted(entries), old_ids)


def reindex(kind: str, pks: Iterable[int]) -> None:
    """Refresh the entries of these objects from their provider: changed ones are rewritten, the ones no longer
    public (or gone) removed."""
    provider = registry.provider(kind)
    if provider is None:
        return
    pks = sorted({int(pk) for pk in pks})
    for start in range(0, len(pks), BATCH):
        chunk = pks[start:start + BATCH]
        wanted = set(chunk)
        docs = [doc for doc in provider.documents(chunk) if doc.pk in wanted]
        write(kind, docs, remove=wanted - {doc.pk for doc in docs})


def rebuild(kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Index every object of every provider (or of `kinds`) again, and drop entries of kinds nobody provides.
    Returns the number of entries of each kind."""
    from hub.search import extraction

    chosen = [p for p in registry.providers() if kinds is None or p.kind in set(kinds)]
    if kinds is None:
        SearchEntry.objects.exclude(kind__in=[p.kind for p in registry.providers()]).delete()
        with extraction.pruning():
            counts = _rebuild(chosen)
    else:
        counts = _rebuild(chosen)
    backends.sqlite_clear_orphans()
    return counts


def _rebuild(chosen: list[registry.Provider]) -> dict[str, int]:
    counts = {}
    for provider in chosen:
        seen: set[int] = set()
        batch: list[registry.SearchDoc] = []
        for doc in provider.documents(None):
            if doc.kind != provider.kind or not doc.public:
                continue
            seen.add(doc.pk)
            batch.append(doc)
            if len(batch) >= BATCH:
                write(provider.kind, batch)
                batch = []
        write(provider.kind, batch)
        stale = sorted(set(SearchEntry.objects.filter(kind=provider.kind).values_list("object_id", flat=True)) - seen)
        for start in range(0, len(stale), BATCH):
            write(provider.kind, [], remove=stale[start:start + BATCH])
        counts[provider.kind] = len(seen)
    return counts


def indexed_pks(kind: str, **filters) -> list[int]:
    """The pks of the objects of a kind that have an entry (filters on SearchEntry fields, e.g. discussion_id)."""
    return list(SearchEntry.objects.filter(kind=kind, **filters).values_list("object_id", flat=True))


# --- scheduling --------------------------------------------------------------------------------------------------

class _Pending:
    """What was changed since the last flush: pks by kind, and saved instances whose owners are found then."""

    def __init__(self) -> None:
        self.pks: dict[str, set[int]] = defaultdict(set)
        self.saved: dict[tuple[str, str, object], tuple[registry.Provider, Model]] = {}

    def flush(self) -> None:
        for (kind, _label, _pk), (provider, instance) in self.saved.items():
            try:
                self.pks[kind].update(provider.owner_pks(instance))
            except Exception:  # noqa: BLE001 - the index must never break the code that saved
                log.exception("Search: could not find what %r changes for %s", instance, kind)
        for kind, pks in self.pks.items():
            try:
                reindex(kind, pks)
            except Exception:  # noqa: BLE001
                log.exception("Search: could not reindex %d %s object(s)", len(pks), kind)


_local = threading.local()


def _flush() -> None:
    """Run on commit: the first callback of a transaction does the work, the others find nothing left to do."""
    pending = getattr(_local, "pending", None)
    _local.pending = None
    if pending is not None:
        pending.flush()


def _pending() -> _Pending:
    """The changes waiting for the next commit (of this thread). Each change asks for a flush on commit: a
    rolled-back transaction drops its callbacks, and what it left here is reindexed — harmlessly, from what the
    database then holds — at the next commit."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = _Pending()
    return pending


def schedule(kind: str, pks: Iterable[int]) -> None:
    """Reindex these objects when the current transaction commits (at once outside a transaction)."""
    _pending().pks[kind].update(pks)
    transaction.on_commit(_flush, robust=True)


def _schedule_saved(provider: registry.Provider, instance: Model) -> None:
    _pending().saved[(provider.kind, instance._meta.label, instance.pk)] = (provider, instance)
    transaction.on_commit(_flush, robust=True)


# --- signals -----------------------------------------------------------------------------------------------------

def _watching(model) -> list[registry.Provider]:
    return [p for p in registry.providers() if model in p.models]


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loading fixtures: rebuild_search_index afterwards
        return
    for provider in _watching(sender):
        _schedule_saved(provider, instance)


def _on_delete(sender, instance, **kwargs) -> None:
    for provider in _watching(sender):
        try:
            pks = provider.owner_pks(instance)
        except Exception:  # noqa: BLE001
            log.exception("Search: could not find what deleting %r changes for %s", instance, provider.kind)
            continue
        schedule(provider.kind, pks)


def _on_m2m(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """A change of a watched many-to-many table counts as a save of the object that declares the field."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    for provider in _watching(sender):
        if not reverse:
            owners = [instance]
        elif pk_set:
            owners = list(model._default_manager.filter(pk__in=pk_set))
        else:
            continue  # clearing from the other side names no objects: rebuild_search_index catches up
        for owner in owners:
            _schedule_saved(provider, owner)


def watch(provider: registry.Provider) -> None:
    """Connect the signals of the provider's models (once per model, whoever else watches it)."""
    for model in provider.models:
        uid = f"hub.search:{model._meta.label}"
        if model._meta.auto_created:
            m2m_changed.connect(_on_m2m, sender=model, dispatch_uid=uid)
        else:
            post_save.connect(_on_save, sender=model, dispatch_uid=uid)
            post_delete.connect(_on_delete, sender=model, dispatch_uid=uid)
