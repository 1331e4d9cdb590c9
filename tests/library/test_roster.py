"""The peer review roster: experts apply, the secretariat accepts or declines, members see their reviews."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hub.library import services
from hub.library.models import Resource, Review, RosterMember
from hub.library.selectors import roster
from hub.models import AuditEntry
from hub.roles import SECRETARIAT
from tests.factories import make_user
from tests.library.factories import language, make_resource, make_review, make_roster_member
from workplan.models import GcmObjective

pytestmark = pytest.mark.django_db


def apply(user, **overrides):
    data = {"affiliation": "University of Nairobi", "expertise": [GcmObjective.objects.get(number=5)],
            "languages": [language("en")], "cv": "Ten years on labour migration.", "cv_url": "", "conflicts": ""}
    data.update(overrides)
    return services.roster_apply(actor=user, **data)


def test_an_expert_applies_and_the_secretariat_is_told(mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.HUB_CONTACT_EMAIL = "secretariat@example.org"
    expert = make_user(name="Grace Achieng")
    with django_capture_on_commit_callbacks(execute=True):
        member = apply(expert)
    assert member.status == RosterMember.Status.APPLIED and member.name == "Grace Achieng"
    assert [m.to for m in mailoutbox] == [["secretariat@example.org"]]
    assert AuditEntry.objects.filter(action="roster.apply").exists()


def test_one_open_application_at_a_time():
    expert = make_user()
    apply(expert)
    with pytest.raises(PermissionDenied, match="already applied"):
        apply(expert)
    assert RosterMember.objects.count() == 1


@pytest.mark.parametrize("overrides, field", [
    ({"expertise": []}, "expertise"), ({"languages": []}, "languages"), ({"affiliation": " "}, "affiliation"),
    ({"cv": "", "cv_url": ""}, "cv"), ({"cv_url": "javascript:alert(1)"}, "cv_url"), ({"cv": "x" * 3001}, "cv"),
])
def test_an_incomplete_application_is_refused_field_by_field(overrides, field):
    with pytest.raises(ValidationError) as caught:
        apply(make_user(), **overrides)
    assert field in caught.value.message_dict
    assert not RosterMember.objects.exists()


def test_applying_needs_a_complete_profile():
    with pytest.raises(PermissionDenied, match="Complete your profile"):
        apply(make_user(complete=False))


def test_the_secretariat_accepts_and_the_applicant_is_welcomed(mailoutbox, django_capture_on_commit_callbacks):
    member = apply(make_user(email="grace@example.org"))
    secretariat = make_user(role=SECRETARIAT)
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_decide(actor=secretariat, member=member, accept=True, reply="Welcome aboard.")
    member.refresh_from_db()
    assert member.status == RosterMember.Status.ACCEPTED
    [mail] = mailoutbox
    assert mail.to == ["grace@example.org"] and "Welcome aboard." in mail.body
    assert reverse("library:reviewer-page") in mail.body
    with pytest.raises(ValidationError, match="already decided"):
        services.roster_decide(actor=secretariat, member=member, accept=False)


def test_only_the_secretariat_decides_on_applications():
    member = apply(make_user())
    with pytest.raises(PermissionDenied):
        services.roster_decide(actor=make_user(), member=member, accept=True)


def test_a_declined_expert_may_apply_again():
    expert = make_user()
    member = apply(expert)
    services.roster_decide(actor=make_user(role=SECRETARIAT), member=member, accept=False)
    assert apply(expert).status == RosterMember.Status.APPLIED


def test_the_roster_shows_load_and_turnaround_per_reviewer():
    from datetime import timedelta

    from django.utils import timezone

    member = make_roster_member()
    resource = make_resource(status=Resource.Status.IN_REVIEW)
    make_review(resource=resource, reviewer=member)  # open
    make_review(resource=resource, reviewer=member, round=2, due_date=timezone.localdate() - timedelta(days=1))
    done = make_review(resource=make_resource(), reviewer=member, status=Review.Status.SUBMITTED)
    Review.objects.filter(pk=done.pk).update(assigned_at=timezone.now() - timedelta(days=6), closed_at=timezone.now())
    [row] = roster("accepted")
    assert (row.stats.open, row.stats.overdue, row.stats.submitted) == (2, 1, 1)
    assert row.stats.average_days == 6.0


def test_the_apply_page_keeps_what_was_typed_after_a_mistake(client):
    expert = make_user()
    client.force_login(expert)
    response = client.post(reverse("library:roster-apply"), {
        "affiliation": "University of Nairobi", "cv": "Ten years on labour migration.", "languages": ["en"]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the GCM objectives you have expertise in." in html
    assert "Ten years on labour migration." in html and "University of Nairobi" in html
    assert not RosterMember.objects.exists()
