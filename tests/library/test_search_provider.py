"""The library's search provider (the contract of hub/search/registry.py): only published resources are documents,
with their text, languages and priorities, and they are found through site search."""
from __future__ import annotations

import pytest

from hub.library.models import Resource
from hub.library.search import ResourceSearchProvider
from hub.search import registry
from tests.hub.search.conftest import found
from tests.factories import make_priority
from tests.library.factories import make_resource
from workplan.models import GcmObjective

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs the reindexing a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_only_published_resources_are_documents(django_assert_max_num_queries):
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
    assert provider.owner_pks(published) == [published.pk] and Resource in provider.models


def test_the_library_registers_its_resources_with_site_search():
    assert isinstance(registry.provider("resource"), ResourceSearchProvider)


def test_a_published_resource_is_found_and_leaves_the_index_when_unpublished(committed):
    with committed():
        resource = make_resource(title="Remittance corridors brief", summary="<p>Costs of sending money home.</p>")
        hidden = make_resource(title="Remittance draft", status=Resource.Status.IN_REVIEW)
    assert found("remittance") == [("resource", resource.pk)]
    with committed():
        Resource.objects.filter(pk=resource.pk).update(status=Resource.Status.IN_REVIEW)
        resource.refresh_from_db()
        resource.save()
    assert found("remittance") == []
    assert hidden.pk not in [pk for _kind, pk in found("draft")]


def test_a_word_only_in_a_resources_pdf_finds_the_resource(committed):
    import hashlib

    from django.core.files.base import ContentFile

    from tests.factories import minimal_pdf

    data = minimal_pdf("Circular migration corridors in the Sahel")
    with committed():
        resource = make_resource(title="Regional report", summary="<p>The full report is attached.</p>")
        resource.file.save("report.pdf", ContentFile(data), save=False)
        resource.file_type, resource.file_sha256 = "application/pdf", hashlib.sha256(data).hexdigest()
        resource.save()
    assert found("sahel") == [("resource", resource.pk)]
