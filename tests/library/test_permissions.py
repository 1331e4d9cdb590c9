"""Who may open every library page and perform every library action.

Visitors are sent to log in wherever an account is needed; what a person may not see at all (an unpublished
resource, someone else's review) answers 404; what they see but may not do answers 403."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.urls import reverse

from hub.library.models import Resource, RosterMember
from tests.factories import minimal_pdf
from tests.library.factories import make_resource, make_review, make_roster_member

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "submitter", "stakeholder", "reviewer_assigned", "reviewer_not_assigned", "moderator",
         "secretariat"]


@dataclass
class Setup:
    users: dict
    published: Resource
    in_review: Resource
    review: object
    applicant: RosterMember
    member: RosterMember


def with_file(resource: Resource) -> Resource:
    resource.file.save("brief.pdf", io.BytesIO(minimal_pdf()), save=False)
    resource.file_name, resource.file_type, resource.file_size = "brief.pdf", "application/pdf", 100
    resource.save()
    return resource


@pytest.fixture
def setup(world) -> Setup:
    published = with_file(make_resource(submitted_by=world.submitter))
    in_review = with_file(make_resource(submitted_by=world.submitter, status=Resource.Status.IN_REVIEW))
    review = make_review(resource=in_review, reviewer=world.reviewer_a)
    users = {"anonymous": None, "submitter": world.submitter, "stakeholder": world.stakeholder,
             "reviewer_assigned": world.reviewer_a.user, "reviewer_not_assigned": world.reviewer_b.user,
             "moderator": world.moderator, "secretariat": world.secretariat}
    return Setup(users=users, published=published, in_review=in_review, review=review,
                 applicant=make_roster_member(status=RosterMember.Status.APPLIED), member=world.colleague)


def login(client, setup, role):
    if setup.users[role] is not None:
        client.force_login(setup.users[role])
    return client


def check(response, expected, role, name):
    where = f"{name} as {role}"
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], where
    elif expected == "ok":
        assert response.status_code in (200, 302, 400), (where, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"], where
    else:
        assert response.status_code == expected, (where, response.status_code, expected)


EVERYONE = {role: 200 for role in ROLES}
SIGNED_IN = {**{role: 200 for role in ROLES}, "anonymous": "login"}
SECRETARIAT_ONLY = {**{role: 403 for role in ROLES}, "anonymous": "login", "secretariat": "ok"}
UNPUBLISHED = {"anonymous": 404, "submitter": 200, "stakeholder": 404, "reviewer_assigned": 200,
               "reviewer_not_assigned": 404, "moderator": 404, "secretariat": 200}
REVIEWER_ONLY = {**{role: 404 for role in ROLES}, "anonymous": "login", "reviewer_assigned": 200}

PAGES = [
    ("library:index", lambda s: [], EVERYONE),
    ("library:criteria", lambda s: [], EVERYONE),
    ("library:resource-detail", lambda s: [s.published.pk], EVERYONE),
    ("library:resource-file", lambda s: [s.published.pk], EVERYONE),
    ("library:resource-detail", lambda s: [s.in_review.pk], UNPUBLISHED),
    ("library:resource-file", lambda s: [s.in_review.pk], UNPUBLISHED),
    # The submitter is sent back to the page (under review, it cannot be edited); those who see it get 403.
    ("library:resource-edit", lambda s: [s.in_review.pk],
     {"anonymous": "login", "submitter": "ok", "stakeholder": 404, "reviewer_assigned": 403,
      "reviewer_not_assigned": 404, "moderator": 404, "secretariat": 403}),
    ("library:submit", lambda s: [], SIGNED_IN),
    ("library:my-submissions", lambda s: [], SIGNED_IN),
    # Roster members have applied already: they are told so.
    ("library:roster-apply", lambda s: [], {**SIGNED_IN, "reviewer_assigned": 403, "reviewer_not_assigned": 403}),
    ("library:reviewer-page", lambda s: [], SIGNED_IN),
    ("library:review", lambda s: [s.review.pk], REVIEWER_ONLY),
    ("library:queue", lambda s: [], SECRETARIAT_ONLY),
    ("library:manage-resource", lambda s: [s.in_review.pk], SECRETARIAT_ONLY),
    ("library:roster", lambda s: [], SECRETARIAT_ONLY),
    ("library:criteria-edit", lambda s: [], SECRETARIAT_ONLY),
    ("library:export-csv", lambda s: [], SECRETARIAT_ONLY),
    ("library:export-xlsx", lambda s: [], SECRETARIAT_ONLY),
    ("workplan:objective-detail", lambda s: [5], EVERYONE),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, args, expected", PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
def test_pages(client, setup, role, name, args, expected):
    response = login(client, setup, role).get(reverse(name, args=args(setup)))
    check(response, expected[role], role, name)


ACTIONS = [
    ("library:submit", lambda s: [], SIGNED_IN),
    ("library:resource-edit", lambda s: [s.in_review.pk],
     {"anonymous": "login", "submitter": "ok", "stakeholder": 404, "reviewer_assigned": 403,
      "reviewer_not_assigned": 404, "moderator": 404, "secretariat": 403}),
    ("library:roster-apply", lambda s: [], {**SIGNED_IN, "reviewer_assigned": 403, "reviewer_not_assigned": 403}),
    ("library:review", lambda s: [s.review.pk], REVIEWER_ONLY),
    ("library:review-decline", lambda s: [s.review.pk], {**REVIEWER_ONLY, "reviewer_assigned": 400}),
    ("library:criteria-edit", lambda s: [], SECRETARIAT_ONLY),
    ("library:assign", lambda s: [s.in_review.pk], SECRETARIAT_ONLY),
    ("library:decide", lambda s: [s.in_review.pk], SECRETARIAT_ONLY),
    ("library:review-cancel", lambda s: [s.review.pk], SECRETARIAT_ONLY),
    ("library:roster-decide", lambda s: [s.applicant.pk], SECRETARIAT_ONLY),
    ("library:roster-retire", lambda s: [s.member.pk], SECRETARIAT_ONLY),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, args, expected", ACTIONS, ids=[f"{a[0]}-post" for a in ACTIONS])
def test_actions(client, setup, role, name, args, expected):
    """An empty POST: refused before anything is read for everyone but those allowed, for whom the form
    explains what is missing (or, with nothing to fill in, the action happens)."""
    before = (Resource.objects.count(), RosterMember.objects.count())
    response = login(client, setup, role).post(reverse(name, args=args(setup)), {})
    check(response, expected[role], role, name)
    if expected[role] not in ("ok", 200, 400):
        assert (Resource.objects.count(), RosterMember.objects.count()) == before


def test_a_reviewer_who_declined_no_longer_sees_the_unpublished_resource(client, setup):
    setup.review.status = "declined"
    setup.review.save()
    client.force_login(setup.users["reviewer_assigned"])
    assert client.get(setup.in_review.get_absolute_url()).status_code == 404


def test_the_submitter_does_not_see_the_reviewers_notes_to_the_secretariat_or_their_names(client, setup):
    review = setup.review
    review.status, review.recommendation = "submitted", "accept"
    review.comments_for_submitter, review.comments_for_secretariat = "For you.", "Between us."
    review.save()
    resource = setup.in_review
    resource.status = Resource.Status.PUBLISHED
    resource.save()
    client.force_login(setup.users["submitter"])
    html = client.get(resource.get_absolute_url()).content.decode()
    assert "For you." in html and "Between us." not in html and review.reviewer.name not in html
    client.force_login(setup.users["stakeholder"])
    assert "For you." not in client.get(resource.get_absolute_url()).content.decode()
