"""Library fixtures: a world with a submitter, two eligible roster members, one from the submitter's organisation,
and the secretariat."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from hub.roles import MODERATORS, SECRETARIAT
from tests.factories import make_organisation, make_user
from tests.library.factories import make_roster_member


@dataclass
class World:
    submitter: object
    stakeholder: object
    reviewer_a: object
    reviewer_b: object
    colleague: object  # a roster member from the submitter's organisation
    moderator: object
    secretariat: object


@pytest.fixture
def world(db) -> World:
    home = make_organisation(name="Migrant Forum")
    submitter = make_user(email="amina@example.org", name="Amina Odhiambo", organisation=home)
    reviewer_a = make_roster_member(user=make_user(email="richard@example.org", name="Richard Moreau"),
                                    expertise=[], languages=("en", "fr"))
    reviewer_b = make_roster_member(user=make_user(email="lotte@example.org", name="Lotte Vermeulen"),
                                    languages=("en", "es"))
    colleague = make_roster_member(user=make_user(email="colleague@example.org", name="Colleague", organisation=home))
    return World(submitter=submitter, stakeholder=make_user(email="other@example.org"), reviewer_a=reviewer_a,
                 reviewer_b=reviewer_b, colleague=colleague, moderator=make_user(role=MODERATORS),
                 secretariat=make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT))
