"""The organisation services of hub/services.py that other apps call (an import naming co-leads)."""
from __future__ import annotations

import pytest

from hub.models import AuditEntry, Organisation
from hub.services import organisation_get_or_create
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def test_an_organisation_is_found_by_its_name_whatever_its_case():
    existing = make_organisation(name="Migrant Forum Asia")
    assert organisation_get_or_create(actor=None, name="  migrant forum ASIA ") == (existing, False)
    assert not AuditEntry.objects.exists()


def test_a_new_name_makes_an_unverified_organisation_outside_the_network_and_audits_it():
    organisation, created = organisation_get_or_create(actor=None, name=" Example  NGO B ")

    assert created and Organisation.objects.get() == organisation
    assert (organisation.name, organisation.stakeholder_group) == ("Example NGO B", "other")
    assert (organisation.verified, organisation.network_member) == (False, False)
    assert AuditEntry.objects.get(action="organisation.create").target_id == str(organisation.pk)
