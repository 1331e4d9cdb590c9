"""Query counts of the library's list pages are pinned, and do not grow with the number of items."""
from __future__ import annotations

import pytest
from django.utils import timezone

from hub.library.models import Resource, Review, RosterMember
from hub.roles import SECRETARIAT
from tests.factories import make_priority, make_user
from tests.library.factories import make_resource, make_review, make_roster_member
from workplan.models import GcmObjective

pytestmark = pytest.mark.django_db

# count, page, its languages, objectives and priorities (with workplans); the filters' languages, objectives,
# priorities
LIST_ANONYMOUS = 8
# + session, user, user and group permissions (library menu), roster membership (library menu); the site header's
# profile and discussions menu (moderated discussions)
LIST_SIGNED_IN = 15
# session, user, user and group permissions, tab counts, count, page, roster membership (library menu); the site
# header's profile and discussions menu
QUEUE = 10
# session, user, user and group permissions, tab counts, members, their expertise, their languages, their reviews
# (load and turnaround), roster membership (library menu); the site header's profile and discussions menu
ROSTER = 12
# session, user, roster membership, the reviews with their resources, user and group permissions (library menu);
# the site header's profile and discussions menu
REVIEWER_PAGE = 8


def resources(n: int) -> None:
    objectives = list(GcmObjective.objects.filter(number__in=[1, 5, 7]))
    priorities = [make_priority(kind="ongoing", number=i) for i in range(1, 3)]
    scopes = [("global", "", ""), ("regional", "africa", ""), ("national", "", "Kenya")]
    for i in range(n):
        scope, region, country = scopes[i % 3]
        make_resource(scope=scope, region=region, country=country, objectives=objectives[: i % 3 + 1],
                      priorities=priorities[: i % 2 + 1], languages=("en", "fr")[: i % 2 + 1])


@pytest.mark.parametrize("n", [1, 20])
def test_the_library_list_for_a_visitor(client, django_assert_num_queries, n):
    resources(n)
    with django_assert_num_queries(LIST_ANONYMOUS):
        response = client.get("/library/")
    assert response.status_code == 200
    assert response.content.decode().count('class="border rounded p-3 mb-3 resource-card"') == n


@pytest.mark.parametrize("n", [1, 20])
def test_the_library_list_for_a_signed_in_reader(client, django_assert_num_queries, n):
    resources(n)
    client.force_login(make_user())
    with django_assert_num_queries(LIST_SIGNED_IN):
        response = client.get("/library/?language=en")
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 20])
def test_the_review_queue(client, django_assert_num_queries, n):
    reviewers = [make_roster_member() for _ in range(3)]
    for i in range(n):
        resource = make_resource(status=Resource.Status.IN_REVIEW, submitted_by=make_user() if i < 3 else None)
        make_review(resource=resource, reviewer=reviewers[i % 3])
        make_review(resource=resource, reviewer=reviewers[(i + 1) % 3], status=Review.Status.SUBMITTED)
    client.force_login(make_user(role=SECRETARIAT))
    with django_assert_num_queries(QUEUE):
        response = client.get("/library/manage/?status=in_review")
    assert response.status_code == 200
    assert response.content.decode().count('class="queue-item"') == n


@pytest.mark.parametrize("n", [1, 20])
def test_the_roster_list(client, django_assert_num_queries, n):
    objectives = list(GcmObjective.objects.all()[:4])
    resource = make_resource(status=Resource.Status.IN_REVIEW)
    for i in range(n):
        member = make_roster_member(expertise=objectives[: i % 4 + 1], languages=("en", "es")[: i % 2 + 1])
        make_review(resource=resource, reviewer=member, closed_at=timezone.now(),
                    status=Review.Status.SUBMITTED if i % 2 else Review.Status.ASSIGNED)
    client.force_login(make_user(role=SECRETARIAT))
    with django_assert_num_queries(ROSTER):
        response = client.get("/library/manage/roster/")
    assert response.status_code == 200
    assert response.content.decode().count('class="roster-row"') == n


@pytest.mark.parametrize("n", [1, 20])
def test_the_roster_applications(client, django_assert_num_queries, n):
    for _ in range(n):
        make_roster_member(status=RosterMember.Status.APPLIED, expertise=GcmObjective.objects.all()[:2])
    client.force_login(make_user(role=SECRETARIAT))
    with django_assert_num_queries(ROSTER):
        response = client.get("/library/manage/roster/?status=applied")
    assert response.content.decode().count('class="border rounded p-3 mb-3 roster-application"') == n


@pytest.mark.parametrize("n", [1, 20])
def test_the_reviewer_page(client, django_assert_num_queries, n):
    member = make_roster_member()
    for i in range(n):
        make_review(resource=make_resource(status=Resource.Status.IN_REVIEW), reviewer=member,
                    status=Review.Status.ASSIGNED if i % 2 else Review.Status.SUBMITTED,
                    closed_at=None if i % 2 else timezone.now())
    client.force_login(member.user)
    with django_assert_num_queries(REVIEWER_PAGE):
        response = client.get("/library/reviews/")
    assert response.status_code == 200
