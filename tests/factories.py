"""Small factory functions with valid defaults. Keyword arguments override any field."""
from __future__ import annotations

import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from hub.models import Attribution, Organisation, Profile, StakeholderGroup
from hub.roles import ensure_roles

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)


def make_organisation(**fields) -> Organisation:
    n = next(_seq)
    defaults = {"name": f"Organisation {n}", "acronym": f"ORG{n}", "stakeholder_group": StakeholderGroup.CIVIL_SOCIETY,
                "country": "Kenya", "network_member": False, "verified": True}
    defaults.update(fields)
    return Organisation.objects.create(**defaults)


def make_user(*, email: str | None = None, name: str | None = None, organisation: Organisation | None = None,
              complete: bool = True, verified: bool = True, role: str | None = None,
              attribution: str = Attribution.PERSON, password: str = PASSWORD, **user_fields):
    """A user who can log in (verified e-mail) with a complete profile, unless told otherwise."""
    n = next(_seq)
    email = email or f"user{n}@example.org"
    user = get_user_model().objects.create_user(username=f"user{n}", email=email, password=password, **user_fields)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    if complete:
        Profile.objects.create(user=user, display_name=name or f"Person {n}",
                               organisation=organisation or make_organisation(), attribution=attribution)
    else:
        Profile.objects.create(user=user, display_name=name or "")
    if role:
        ensure_roles()
        user.groups.add(Group.objects.get(name=role))
    return user


def make_workplan(**fields):
    from workplan.models import Workplan

    n = next(_seq)
    defaults = {"title": f"Workplan {n}", "slug": f"workplan-{n}", "period_start": 2022, "period_end": 2024,
                "status": Workplan.Status.FINAL}
    defaults.update(fields)
    return Workplan.objects.create(**defaults)


def make_priority(*, workplan=None, kind: str = "new", number: int | None = None, **fields):
    from workplan.models import Priority

    workplan = workplan or make_workplan()
    if number is None:
        number = (Priority.objects.filter(workplan=workplan, kind=kind).count()) + 1
    defaults = {"title": f"Priority {kind} {number}", "description": "<p>What it is about.</p>"}
    defaults.update(fields)
    return Priority.objects.create(workplan=workplan, kind=kind, number=number, **defaults)


def make_working_group(*, workplan=None, priorities=(), co_leads=(), members=(), **fields):
    from workplan.models import WorkingGroup

    n = next(_seq)
    defaults = {"name": f"Working group {n}", "slug": f"group-{n}", "open_for_interest": True}
    defaults.update(fields)
    group = WorkingGroup.objects.create(workplan=workplan or make_workplan(), **defaults)
    group.priorities.set(priorities)
    group.co_leads.set(co_leads)
    group.members.set(members)
    return group
