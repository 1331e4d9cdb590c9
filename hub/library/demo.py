"""A small reviewed library for `manage.py load_demo` (run after the hub's accounts and the workplan). Idempotent:
resources are keyed on their titles, roster members on their accounts, reviews on (resource, reviewer, round).

Every resource here is invented for the demo and says so; the links point at example.org.
"""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hub.library.models import Criterion, Language, Resource, Review, ReviewScore, RosterMember
from hub.text import text_to_html
from workplan.models import GcmObjective, Priority

SUBMITTER = "amina@demo.hub.localhost"
REVIEWERS = [
    # e-mail, affiliation, expertise (GCM objectives), languages
    ("richard@demo.hub.localhost", "International Organization for Migration", [1, 5, 13, 16, 20, 23], ["en", "fr"]),
    ("union@demo.hub.localhost", "Global Union of Care Workers (example)", [5, 6, 13, 16, 20, 22, 23], ["en", "es"]),
]

# title, type, scope, region, country, year, publisher, GCM objectives, priority codes, languages, status, summary
RESOURCES = [
    ("GCM practice repository (example)", "portal", "global", "", "", 2023, "UN Network on Migration (example)",
     [23, 1], ["OP2"], ["en", "fr", "es"], Resource.Status.PUBLISHED,
     "A searchable collection of practices that Member States and stakeholders use to implement the Global "
     "Compact for Migration, with contacts for each.\n\nInvented for the demo."),
    ("Alternatives to immigration detention: a policy brief (example)", "policy_brief", "global", "", "", 2022,
     "Office of the High Commissioner for Human Rights", [13, 7], ["OP3"], ["en"], Resource.Status.PUBLISHED,
     "Why community-based alternatives to detention work, what they cost, and how to start one.\n\n"
     "Invented for the demo."),
    ("Remittances at a glance (example)", "infographic", "global", "", "", 2024, "Centre for Mobility Research (example)",
     [20], ["OP9"], ["en", "es"], Resource.Status.PUBLISHED,
     "One page on the cost of sending money home, by corridor, and what lowers it.\n\nInvented for the demo."),
    ("Bilateral labour migration agreements in East Africa (example)", "report", "regional", "africa", "", 2023,
     "Migrant Workers Solidarity Forum (example)", [5, 6], ["OP4"], ["en"], Resource.Status.PUBLISHED,
     "A review of eleven bilateral labour agreements: what they promise migrant workers, and what workers "
     "report.\n\nInvented for the demo."),
    ("Local integration of migrants in Mexico City (example)", "practice", "national", "", "Mexico", 2021,
     "City of Examplestan (example)", [16], ["NP5"], ["es", "en"], Resource.Status.PUBLISHED,
     "How one city opened its services to migrants whatever their status, and what it learned.\n\n"
     "Invented for the demo."),
    ("Climate mobility in small island states: a video (example)", "video", "regional", "asia_pacific", "", 2024,
     "Migrant Workers Solidarity Forum (example)", [2], ["OP6"], ["en"], Resource.Status.IN_REVIEW,
     "Twelve minutes of testimony from communities planning relocation.\n\nInvented for the demo."),
    ("Fair recruitment checklist for employers (example)", "other", "global", "", "", 2024,
     "Migrant Workers Solidarity Forum (example)", [6], ["OP8"], ["en"], Resource.Status.SUBMITTED,
     "A two-page checklist for employers who recruit across borders.\n\nInvented for the demo."),
]

COMMENTS = [
    "Clear, well sourced and useful to practitioners. I recommend publishing it as it is.",
    "A valuable resource. The methodology section could be longer, but it meets the criteria.",
]


def _roster(User, languages, objectives, now) -> list[RosterMember]:
    """The demo reviewers, accepted on the roster with their expertise and languages."""
    members = []
    for email, affiliation, expertise, langs in REVIEWERS:
        user = User.objects.filter(email__iexact=email).select_related("profile").first()
        if user is None:
            continue
        member = RosterMember.objects.filter(user=user, status=RosterMember.Status.ACCEPTED).first()
        if member is None:
            member = RosterMember.objects.create(
                user=user, name=user.profile.display_name, organisation=user.profile.organisation,
                affiliation=affiliation, status=RosterMember.Status.ACCEPTED, decided_at=now,
                cv="Works on migration policy and has reviewed for the Network since 2021. (Demo account.)")
        member.expertise.set([objectives[n] for n in expertise])
        member.languages.set([languages[code] for code in langs if code in languages])
        members.append(member)
    return members


def _reviews(resource, reviewers, *, age: int, published: bool, criteria, now) -> None:
    """The resource's first-round reviews: submitted, with scores, for a published resource; assigned otherwise."""
    for index, member in enumerate(reviewers):
        review, created = Review.objects.get_or_create(resource=resource, reviewer=member, round=1, defaults={
            "due_date": (now - timedelta(days=40 - age)).date(), "status": Review.Status.ASSIGNED})
        if published and review.status != Review.Status.SUBMITTED:
            review.status = Review.Status.SUBMITTED
            review.no_conflict = True
            review.recommendation = Review.Recommendation.ACCEPT
            review.comments_for_submitter = COMMENTS[index % len(COMMENTS)]
            review.closed_at = now - timedelta(days=35 - age + index)
            review.save()
            ReviewScore.objects.bulk_create(
                [ReviewScore(review=review, criterion=c, score=4 + (index + c.pk) % 2) for c in criteria],
                ignore_conflicts=True)
        if created:
            # assigned_at is set on creation; the demo's reviews were asked for weeks ago.
            Review.objects.filter(pk=review.pk).update(
                assigned_at=now - timedelta(days=45 - age),
                due_date=(now + timedelta(days=10)).date() if not published else review.due_date)


@transaction.atomic
def load(stdout, style) -> None:
    """Create or refresh the demo roster and library."""
    User = get_user_model()
    submitter = User.objects.filter(email__iexact=SUBMITTER).select_related("profile").first()
    if submitter is None:
        stdout.write(style.WARNING("Library demo skipped: the demo accounts are missing."))
        return
    languages = Language.objects.in_bulk()
    objectives = GcmObjective.objects.in_bulk()
    priorities = {p.code: p for p in Priority.objects.filter(workplan__slug="network-workplan-2022-2024", active=True)}
    now = timezone.now()
    members = _roster(User, languages, objectives, now)
    criteria = list(Criterion.objects.filter(active=True))
    for age, (title, kind, scope, region, country, year, publisher, gcm, codes, langs, status, summary) in enumerate(
            RESOURCES):
        published = status == Resource.Status.PUBLISHED
        resource, _ = Resource.objects.update_or_create(title=title, defaults={
            "summary": text_to_html(summary), "type": kind, "url": f"https://example.org/library/{age + 1}",
            "scope": scope, "region": region, "country": country, "year": year, "publisher": publisher,
            "licence": "CC BY 4.0 (example)", "status": status, "round": 1, "submitted_by": submitter,
            "submitter_name": submitter.profile.display_name, "submitter_organisation": submitter.profile.organisation,
            "submitter_organisation_confirmed": submitter.profile.membership_confirmed,
            "submitted_at": now - timedelta(days=60 - age),
            "decided_at": now - timedelta(days=30 - age) if published else None,
            "published_at": now - timedelta(days=30 - age) if published else None,
            "decision_note": ""})
        resource.languages.set([languages[code] for code in langs if code in languages])
        resource.gcm_objectives.set([objectives[n] for n in gcm])
        resource.priorities.set([priorities[code] for code in codes if code in priorities])
        reviewers = members if published else members[:1] if status == Resource.Status.IN_REVIEW else []
        _reviews(resource, reviewers, age=age, published=published, criteria=criteria, now=now)
    published = sum(1 for row in RESOURCES if row[10] == Resource.Status.PUBLISHED)
    stdout.write(style.SUCCESS(f"Library: {len(RESOURCES)} resources ({published} published) and {len(members)} "
                               f"reviewers on the roster."))
