"""Small factory functions with valid defaults. Keyword arguments override any field."""
from __future__ import annotations

import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from hub.models import Attribution, Membership, Organisation, Profile, StakeholderGroup
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
              attribution: str = Attribution.PERSON, password: str = PASSWORD,
              membership: str = Membership.CONFIRMED, contact: bool = False, **user_fields):
    """A user who can log in (verified e-mail) with a complete profile, unless told otherwise. Their membership
    of the organisation is confirmed unless `membership` says otherwise (Membership.REQUESTED for a claim nobody
    checked yet); `contact` makes them the organisation's contact."""
    n = next(_seq)
    email = email or f"user{n}@example.org"
    user = get_user_model().objects.create_user(username=f"user{n}", email=email, password=password, **user_fields)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    if complete:
        from django.utils import timezone

        now = timezone.now()
        Profile.objects.create(user=user, display_name=name or f"Person {n}",
                               organisation=organisation or make_organisation(), attribution=attribution,
                               membership=membership, membership_requested_at=now,
                               membership_decided_at=now if membership != Membership.REQUESTED else None,
                               organisation_contact=contact)
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


def make_discussion(*, workplan=None, moderators=(), **fields):
    """An open, pre-moderated discussion (opened yesterday, closing in a month)."""
    from datetime import timedelta

    from django.utils import timezone

    from discussions.models import Discussion

    n = next(_seq)
    now = timezone.now()
    defaults = {"slug": f"discussion-{n}", "title": f"Draft Network Workplan consultation {n}",
                "welcome": "<p>Welcome. Tell us what you think.</p>", "status": Discussion.Status.OPEN,
                "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=30),
                "expected_audience": "All network members, stakeholders and Member States", "languages": ["English"]}
    defaults.update(fields)
    discussion = Discussion.objects.create(workplan=workplan, **defaults)
    discussion.moderators.set(moderators)
    return discussion


def make_question(*, discussion=None, **fields):
    from discussions.models import Question

    discussion = discussion or make_discussion()
    defaults = {"order": discussion.questions.count() + 1, "text": "Does the workplan capture a comprehensive plan?",
                "posted_by_name": "Moderator"}
    defaults.update(fields)
    return Question.objects.create(discussion=discussion, **defaults)


def make_comment(*, discussion=None, question=None, parent=None, author=None, status: str = "published",
                 priorities=(), working_groups=(), **fields):
    """A comment written straight to the database (no service), published by default, with its attribution
    snapshot taken from the author's profile."""
    from django.utils import timezone

    from discussions.models import Comment
    from discussions.services import attribution_snapshot

    if parent is not None:
        discussion = parent.discussion
        question = parent.question
    discussion = discussion or (question.discussion if question else make_discussion())
    author = author if author is not None else make_user()
    snapshot = attribution_snapshot(author) if author else {"author_name": "Imported Person"}
    body = fields.pop("body", "<p>We support this priority and suggest a stronger focus on migrant workers.</p>")
    defaults = {"body": body, "body_text": fields.pop("body_text", "We support this priority and suggest a "
                                                                    "stronger focus on migrant workers."),
                "status": status, "depth": (parent.depth + 1) if parent else 0,
                "published_at": timezone.now() if status == "published" else None}
    defaults.update(snapshot)
    defaults.update(fields)
    comment = Comment.objects.create(discussion=discussion, question=question, parent=parent, author=author or None,
                                     **defaults)
    comment.priorities.set(priorities)
    comment.working_groups.set(working_groups)
    return comment


def make_attachment(*, comment, name: str = "position-paper.pdf", data: bytes | None = None):
    import hashlib

    from django.core.files.base import ContentFile

    from discussions.models import Attachment

    data = data if data is not None else minimal_pdf()
    attachment = Attachment(comment=comment, original_name=name, content_type="application/pdf", size=len(data),
                            sha256=hashlib.sha256(data).hexdigest())
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


def minimal_pdf(text: str = "Full comments") -> bytes:
    from discussions.demo.consultation import minimal_pdf as build

    return build(text)


def make_established_user(*, days: int = 30, **fields):
    """A user whose reports count toward a discussion's automatic hiding (discussions.permissions.
    counts_toward_auto_hide): an account `days` old with one published comment (in a discussion of its own)."""
    from datetime import timedelta

    from django.utils import timezone

    user = make_user(date_joined=timezone.now() - timedelta(days=days), **fields)
    make_comment(author=user, body_text="An earlier published comment.")
    return user
