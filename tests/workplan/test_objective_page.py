"""The page of a GCM objective: the priorities that serve it, and the library's resources on it through the
resource provider (none without one)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_priority, make_workplan
from workplan import resources
from workplan.models import GcmObjective, Workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_resource_provider(monkeypatch):
    """As if no library were installed; the previous provider comes back after the test."""
    monkeypatch.setattr(resources, "_provider", None)


def test_the_objective_page_lists_the_active_priorities_that_serve_it(client, no_resource_provider):
    objective = GcmObjective.objects.get(number=13)
    served = make_priority(kind="ongoing", number=3, title="Alternatives to immigration detention")
    hidden = make_priority(kind="ongoing", number=4, title="Retired priority", active=False)
    served.gcm_objectives.add(objective)
    hidden.gcm_objectives.add(objective)
    html = client.get("/workplan/objectives/13/").content.decode()
    assert objective.title in html and "Alternatives to immigration detention" in html
    assert "Retired priority" not in html
    assert "Resources in the library" not in html  # no provider, no section


def test_the_priority_page_links_its_objectives_and_has_no_resources_without_a_provider(client, no_resource_provider):
    priority = make_priority()
    priority.gcm_objectives.add(GcmObjective.objects.get(number=5))
    html = client.get(priority.get_absolute_url()).content.decode()
    assert 'href="/workplan/objectives/5/"' in html and "Resources in the library" not in html


@pytest.mark.parametrize("number", [0, 24, 999])
def test_an_unknown_objective_is_404(client, number):
    assert client.get(f"/workplan/objectives/{number}/").status_code == 404


def test_objectives_is_a_reserved_workplan_slug():
    workplan = make_workplan(slug="objectives-x")
    workplan.slug = "objectives"
    with pytest.raises(ValidationError):
        workplan.full_clean()
    assert Workplan.objects.filter(slug="objectives").count() == 0
