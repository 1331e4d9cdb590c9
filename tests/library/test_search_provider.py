"""The library's search provider (the contract of hub/search/registry.py, built on another branch): only
published resources are documents, with their text, languages and priorities."""
from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field

import pytest

from hub.library.models import Resource
from hub.library.search import ResourceSearchProvider, register_search
from tests.factories import make_priority
from tests.library.factories import make_resource
from workplan.models import GcmObjective

pytestmark = pytest.mark.django_db


@dataclass
class FakeSearchDoc:
    kind: str
    pk: int
    title: str
    body: str
    extra_text: str
    language: str
    url: str
    date: object
    discussion_id: int | None
    priority_ids: list = field(default_factory=list)
    visibility: str = "public"


@pytest.fixture
def fake_search(monkeypatch):
    """Stands in for hub.search until it is merged: a registry module with SearchDoc and register()."""
    registered = []
    package = types.ModuleType("hub.search")
    registry = types.ModuleType("hub.search.registry")
    registry.SearchDoc = FakeSearchDoc
    registry.register = registered.append
    package.registry = registry
    monkeypatch.setitem(sys.modules, "hub.search", package)
    monkeypatch.setitem(sys.modules, "hub.search.registry", registry)
    return registered


def test_only_published_resources_are_documents(fake_search, django_assert_max_num_queries):
    priority = make_priority(kind="ongoing", number=3, title="Alternatives to detention")
    published = make_resource(title="Detention brief", summary="<p>Community <em>alternatives</em>.</p>",
                              languages=("de", "fr"), priorities=[priority],
                              objectives=[GcmObjective.objects.get(number=13)])
    hidden = make_resource(title="Pending", status=Resource.Status.IN_REVIEW)
    provider = ResourceSearchProvider()
    with django_assert_max_num_queries(4):
        docs = list(provider.documents(None))
    assert [d.pk for d in docs] == [published.pk]
    [doc] = docs
    assert (doc.kind, doc.title, doc.body, doc.language) == ("resource", "Detention brief", "Community alternatives.",
                                                             "fr")
    assert doc.priority_ids == [priority.pk] and doc.url == published.get_absolute_url()
    assert "OP3 Alternatives to detention" in doc.extra_text and "GCM objective 13" in doc.extra_text
    assert list(provider.documents([hidden.pk])) == []
    assert provider.owner_pks(published) == [published.pk] and provider.models == [Resource]


def test_register_search_registers_the_provider(fake_search):
    register_search()
    assert [p.kind for p in fake_search] == ["resource"]
