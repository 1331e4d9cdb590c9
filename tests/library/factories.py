"""Library factories: valid defaults, keyword arguments override any field."""
from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from hub.library.models import Language, Resource, Review, RosterMember
from hub.selectors import profile_for_user
from tests.factories import make_user

_seq = itertools.count(1)


def language(code: str = "en") -> Language:
    return Language.objects.get(code=code)


def make_resource(*, submitted_by=None, status: str = Resource.Status.PUBLISHED, languages=("en",), objectives=(),
                  priorities=(), **fields) -> Resource:
    n = next(_seq)
    now = timezone.now()
    profile = profile_for_user(submitted_by) if submitted_by else None
    defaults = {
        "title": f"Resource {n}", "summary": "<p>A study of labour migration corridors.</p>",
        "type": "report", "url": f"https://example.org/resource-{n}", "scope": "global", "publisher": "IOM",
        "status": status, "submitted_at": now, "submitted_by": submitted_by,
        "submitter_name": profile.display_name if profile else "",
        "submitter_organisation": profile.organisation if profile else None,
        "submitter_organisation_confirmed": bool(profile and profile.membership_confirmed),
        "published_at": now if status == Resource.Status.PUBLISHED else None,
    }
    defaults.update(fields)
    resource = Resource.objects.create(**defaults)
    resource.languages.set([language(code) for code in languages])
    resource.gcm_objectives.set(objectives)
    resource.priorities.set(priorities)
    return resource


def make_roster_member(*, user=None, status: str = RosterMember.Status.ACCEPTED, expertise=(), languages=("en",),
                       **fields) -> RosterMember:
    user = user or make_user()
    profile = profile_for_user(user)
    defaults = {"name": profile.display_name or user.email, "organisation": profile.organisation,
                "affiliation": profile.organisation.name if profile.organisation else "Independent",
                "cv": "Twenty years of research on labour migration."}
    defaults.update(fields)
    member = RosterMember.objects.create(user=user, status=status, **defaults)
    member.expertise.set(expertise)
    member.languages.set([language(code) for code in languages])
    return member


def make_review(*, resource, reviewer, status: str = Review.Status.ASSIGNED, round: int | None = None,
                **fields) -> Review:
    defaults = {"due_date": timezone.localdate() + timedelta(days=14)}
    defaults.update(fields)
    return Review.objects.create(resource=resource, reviewer=reviewer, round=round or resource.round, status=status,
                                 **defaults)
