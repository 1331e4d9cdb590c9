"""Query counts of the public pages are pinned, and do not grow with the number of comments."""
from __future__ import annotations

import pytest
from django.urls import reverse

from discussions.models import Disposition
from tests.factories import (
    make_attachment, make_comment, make_discussion, make_priority, make_question, make_user, make_working_group,
    make_workplan,
)

pytestmark = pytest.mark.django_db

# Visitor: discussion (+workplan), moderators with profiles, milestones, documents, questions, comments
# (+disposition), priorities, working groups, attachments, the workplan's priorities for mention links.
DETAIL_ANONYMOUS = 10
# Signed in: + session, user, profile, groups, user and group permissions, moderated discussions, subscription.
DETAIL_SIGNED_IN = 18
LIST_ANONYMOUS = 1
LIST_SIGNED_IN = 7


def build(n: int, *, viewer=None):
    workplan = make_workplan()
    priorities = [make_priority(workplan=workplan, kind="ongoing", number=i) for i in range(1, 4)]
    group = make_working_group(workplan=workplan)
    discussion = make_discussion(workplan=workplan, moderators=[make_user()])
    discussion.milestones.create(date="2026-10-01", label="Annual meeting")
    questions = [make_question(discussion=discussion) for _ in range(3)]
    authors = [make_user() for _ in range(5)]
    made = []
    for i in range(n):
        parent = made[i - 1] if i % 3 == 2 else None
        if parent is not None:
            comment = make_comment(parent=parent, author=authors[i % 5], priorities=priorities[: i % 3])
        else:
            comment = make_comment(question=questions[i % 3] if i % 7 else None, discussion=discussion,
                                   author=authors[i % 5], priorities=priorities[: i % 3 + 1],
                                   working_groups=[group], highlighted=i % 11 == 0,
                                   body="<p>Comment about Ongoing Priority 2 and OP3.</p>")
        if i % 5 == 0:
            make_attachment(comment=comment)
        if i % 4 == 0:
            Disposition.objects.create(comment=comment, outcome="taken_up")
        made.append(comment)
    if viewer is not None:
        make_comment(discussion=discussion, question=questions[0], author=viewer, status="pending")
    discussion.publish_responses = True
    discussion.save()
    return discussion


@pytest.mark.parametrize("n", [1, 50])
def test_the_discussion_page_needs_the_same_queries_for_a_visitor_at_any_size(client, django_assert_num_queries, n):
    discussion = build(n)
    with django_assert_num_queries(DETAIL_ANONYMOUS):
        response = client.get(discussion.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="thread-item') == n


@pytest.mark.parametrize("n", [1, 50])
def test_the_discussion_page_needs_the_same_queries_for_a_signed_in_author_at_any_size(
        client, django_assert_num_queries, n):
    viewer = make_user()
    discussion = build(n, viewer=viewer)
    client.force_login(viewer)
    with django_assert_num_queries(DETAIL_SIGNED_IN):
        response = client.get(discussion.get_absolute_url())
    assert response.content.decode().count('class="thread-item') == n + 1


@pytest.mark.parametrize("n", [1, 50])
def test_the_list_page_needs_the_same_queries_at_any_size(client, django_assert_num_queries, n):
    for _ in range(n):
        discussion = make_discussion()
        make_question(discussion=discussion)
        make_comment(discussion=discussion)
    with django_assert_num_queries(LIST_ANONYMOUS):
        assert client.get(reverse("discussions:discussion-list")).status_code == 200
    client.force_login(make_user())
    with django_assert_num_queries(LIST_SIGNED_IN):
        assert client.get(reverse("discussions:discussion-list")).status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_the_thread_selector_needs_the_same_queries_at_any_size(django_assert_num_queries, n):
    from discussions.selectors import comment_tree_for_discussion

    discussion = build(n)
    with django_assert_num_queries(5):  # questions, comments, priorities, working groups, attachments
        thread = comment_tree_for_discussion(discussion)
    assert len(list(thread.entries())) == n


@pytest.mark.parametrize("n", [1, 50])
def test_the_feedback_of_a_priority_loads_in_fixed_queries(django_assert_num_queries, n):
    from workplan import feedback

    priority = make_priority()
    for _ in range(n):
        make_attachment(comment=make_comment(priorities=[priority]))
    with django_assert_num_queries(3):
        items = list(feedback.provider().published_feedback(priority))
        for item in items:
            item.discussion.title, [p.code for p in item.priorities.all()], list(item.attachments.all())
    assert len(items) == n


def test_a_comment_posted_while_the_thread_loads_is_left_for_the_next_page_view():
    """The thread's four queries run one after the other: a comment (with a priority, a working group and a file)
    committed between the first and the others must not break the page (it did under bench/load.py)."""
    from django.db import connection

    from discussions.selectors import comments_for_thread
    from tests.factories import make_attachment, make_priority, make_working_group, make_workplan

    workplan = make_workplan()
    discussion = make_discussion(workplan=workplan)
    priority, group = make_priority(workplan=workplan), make_working_group(workplan=workplan)
    shown = make_comment(discussion=discussion, priorities=[priority])
    state = {"done": False}

    def posts_meanwhile(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not state["done"] and 'FROM "discussions_comment"' in sql:
            state["done"] = True
            late = make_comment(discussion=discussion, priorities=[priority], working_groups=[group])
            make_attachment(comment=late)
        return result

    with connection.execute_wrapper(posts_meanwhile):
        comments = comments_for_thread(discussion)
    assert state["done"]
    assert [c.pk for c in comments] == [shown.pk]
    assert comments[0].priority_list == [priority] and comments[0].attachment_list == []


# With the page cache on (production): a visitor's second request comes whole from the cache; a signed-in
# reader's needs only the session and the user, the discussion's rows and the reader's permissions being kept
# under the page generation (hub.pagecache.cached_reads).
DETAIL_SIGNED_IN_KEPT = 2


@pytest.mark.parametrize("n", [1, 50])
def test_with_the_page_cache_a_visitors_second_request_needs_no_query(page_cache, django_assert_num_queries, n):
    from django.test import Client

    discussion = build(n)
    Client().get(discussion.get_absolute_url())
    with django_assert_num_queries(0):
        response = Client().get(discussion.get_absolute_url())
    assert response.content.decode().count('class="thread-item') == n


@pytest.mark.parametrize("n", [1, 50])
def test_with_the_page_cache_a_signed_in_readers_second_request_needs_the_session_and_the_user(
        client, page_cache, django_assert_num_queries, n):
    viewer = make_user()
    discussion = build(n, viewer=viewer)
    client.force_login(viewer)
    client.get(discussion.get_absolute_url())
    with django_assert_num_queries(DETAIL_SIGNED_IN_KEPT):
        response = client.get(discussion.get_absolute_url())
    page = response.content.decode()
    assert page.count('class="thread-item') == n + 1
    assert "Awaiting moderation" in page and "Follow this discussion" in page
