"""The secretariat's overview: every discussion with its published comments and how many have a response."""
from __future__ import annotations

import pytest
from django.urls import reverse

from discussions.models import Comment
from discussions.secretariat.services import disposition_record

pytestmark = pytest.mark.django_db


def test_the_overview_counts_published_comments_and_those_with_a_response(known, secretariat_client, secretary):
    disposition_record(actor=secretary, comment=known.chinese, outcome="taken_up")
    response = secretariat_client.get(reverse("discussions:secretariat"))
    assert response.status_code == 200
    (row,) = response.context["discussions"]
    assert (row.title, row.published, row.responded) == ("Draft Network Workplan 2022-2024", 5, 2)


# Session, user, two for permissions (has_perm), profile and the discussions the user moderates (site context),
# then the discussions with their counts.
INDEX_QUERIES = 7


@pytest.mark.parametrize("size", [1, 50])
def test_the_overview_takes_a_fixed_number_of_queries(secretariat_client, django_assert_num_queries, size,
                                                      make_export_discussion, make_comments):
    for _ in range(2):
        make_comments(make_export_discussion(), size)
    with django_assert_num_queries(INDEX_QUERIES):
        response = secretariat_client.get(reverse("discussions:secretariat"))
    assert response.status_code == 200
    assert [d.published for d in response.context["discussions"]] == [size, size]
    assert Comment.objects.count() == 2 * size
