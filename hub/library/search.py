"""The library's provider for site search (the contract in hub/search/registry.py): published resources only.
LibraryConfig.ready() calls `register_search()`."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from hub.library.models import Resource
from hub.text import html_to_text
from workplan.models import Priority

# Interface languages the search index knows; a resource in several takes the first of these it is in.
INDEX_LANGUAGES = ("en", "fr", "es", "ar")
BATCH = 500


class ResourceSearchProvider:
    kind = "resource"
    label = _("Resources")

    @property
    def models(self) -> list:
        # A change of its languages, objectives or priorities changes the resource's document too.
        return [Resource, Resource.languages.through, Resource.gcm_objectives.through, Resource.priorities.through]

    def owner_pks(self, instance) -> list[int]:
        return [instance.pk]

    def documents(self, pks: list[int] | None) -> Iterable:
        """One document per published resource (unpublished ones are not yielded, so they leave the index), in four
        queries per batch of 500."""
        from hub.search.registry import SearchDoc

        queryset = Resource.objects.filter(status=Resource.Status.PUBLISHED).prefetch_related(
            "languages", "gcm_objectives", Prefetch("priorities", queryset=Priority.objects.only("id", "kind", "number",
                                                                                               "title")))
        from hub.search import extraction

        if pks is not None:
            queryset = queryset.filter(pk__in=pks)
        batch: list[Resource] = []
        for resource in queryset.order_by("pk").iterator(chunk_size=BATCH):
            batch.append(resource)
            if len(batch) == BATCH:
                yield from self._batch_documents(batch, extraction, SearchDoc)
                batch = []
        yield from self._batch_documents(batch, extraction, SearchDoc)

    @staticmethod
    def _batch_documents(batch: list[Resource], extraction, doc_class) -> Iterable:
        """The batch's documents, each with the text of its uploaded file (read once per file, one query a batch)."""
        texts = extraction.texts_for(extraction.FileRef(r.file_sha256, r.file.name, r.file_type)
                                     for r in batch if r.file and r.file_sha256)
        for resource in batch:
            fields = document_fields(resource)
            text = texts.get(resource.file_sha256, "") if resource.file else ""
            if text:
                fields["extra_text"] = "\n\n".join(part for part in (fields["extra_text"], text) if part)
            yield doc_class(**fields)


def document_fields(resource: Resource) -> dict:
    """The fields of a resource's search document (everything but the SearchDoc class itself)."""
    codes = [lang.code for lang in resource.languages.all()]
    language = next((code for code in codes if code in INDEX_LANGUAGES), "")
    priorities = list(resource.priorities.all())
    extra = [resource.publisher, resource.get_type_display(), resource.where, resource.licence,
             *(f"GCM objective {o.number} {o.title}" for o in resource.gcm_objectives.all()),
             *(f"{p.code} {p.title}" for p in priorities)]
    return {
        "kind": ResourceSearchProvider.kind, "pk": resource.pk, "title": resource.title,
        "body": html_to_text(resource.summary), "extra_text": "\n".join(str(part) for part in extra if part),
        "language": language, "url": resource.get_absolute_url(), "date": resource.published_at,
        "discussion_id": None, "priority_ids": [p.pk for p in priorities], "visibility": "public",
    }


def register_search() -> None:
    """Register the resources with site search. Needs `hub.search` (see the module docstring)."""
    from hub.search import registry

    registry.register(ResourceSearchProvider())
