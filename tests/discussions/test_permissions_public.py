"""Who may open each public URL: visitor, author, another stakeholder, moderator, secretariat.

What a user may not see answers 404; what they may see but not do is refused with a message or 403.
"""
from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from discussions.models import Comment, Discussion
from hub.roles import MODERATORS, SECRETARIAT
from tests.factories import make_attachment, make_comment, make_discussion, make_question, make_user

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "author", "stakeholder", "moderator", "secretariat"]


@pytest.fixture
def world():
    author = make_user(name="The Author")
    discussion = make_discussion()
    question = make_question(discussion=discussion)
    published = make_comment(question=question, author=author, body="<p>Published words.</p>")
    pending = make_comment(question=question, author=author, status="pending", body="<p>Pending words.</p>")
    return {
        "discussion": discussion, "question": question, "published": published, "pending": pending,
        "users": {"visitor": None, "author": author, "stakeholder": make_user(),
                  "moderator": make_user(role=MODERATORS), "secretariat": make_user(role=SECRETARIAT)},
    }


def as_role(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    return user


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_list_and_the_discussion_with_its_published_comments(client, world, role):
    as_role(client, world, role)
    assert client.get(reverse("discussions:discussion-list")).status_code == 200
    page = client.get(world["discussion"].get_absolute_url()).content.decode()
    assert "Published words." in page


@pytest.mark.parametrize("role, sees", [("visitor", False), ("author", True), ("stakeholder", False),
                                        ("moderator", False), ("secretariat", False)])
def test_a_pending_comment_appears_in_place_only_for_its_author(client, world, role, sees):
    as_role(client, world, role)
    page = client.get(world["discussion"].get_absolute_url()).content.decode()
    assert ("Pending words." in page) is sees


@pytest.mark.parametrize("role, status", [("visitor", 404), ("author", 302), ("stakeholder", 404),
                                          ("moderator", 302), ("secretariat", 404)])
def test_the_permalink_of_a_pending_comment_is_404_for_those_who_may_not_see_it(client, world, role, status):
    as_role(client, world, role)
    assert client.get(reverse("discussions:comment-detail", args=[world["pending"].pk])).status_code == status


@pytest.mark.parametrize("role, status", [("visitor", 404), ("author", 200), ("stakeholder", 404),
                                          ("moderator", 200), ("secretariat", 404)])
def test_files_of_a_pending_comment_are_for_the_author_and_moderators(client, world, role, status):
    attachment = make_attachment(comment=world["pending"])
    as_role(client, world, role)
    assert client.get(reverse("discussions:attachment-download", args=[attachment.pk])).status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_files_of_a_published_comment_are_for_everyone(client, world, role):
    attachment = make_attachment(comment=world["published"])
    as_role(client, world, role)
    assert client.get(reverse("discussions:attachment-download", args=[attachment.pk])).status_code == 200


@pytest.mark.parametrize("role, expected", [("visitor", "login"), ("author", 200), ("stakeholder", 200),
                                            ("moderator", 200), ("secretariat", 200)])
def test_the_posting_form_needs_a_login(client, world, role, expected):
    as_role(client, world, role)
    response = client.get(reverse("discussions:comment-create", args=[world["discussion"].slug]),
                          {"question": world["question"].pk})
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected


def test_a_user_without_a_complete_profile_is_told_to_complete_it(client, world):
    client.force_login(make_user(complete=False))
    response = client.get(reverse("discussions:comment-create", args=[world["discussion"].slug]))
    assert response.status_code == 403 and "Complete your profile" in response.content.decode()


@pytest.mark.parametrize("role, allowed", [("author", True), ("stakeholder", False), ("moderator", False),
                                           ("secretariat", False)])
def test_only_the_author_edits_and_withdraws_through_the_public_pages(client, world, role, allowed):
    as_role(client, world, role)
    comment = world["published"]
    client.post(reverse("discussions:comment-edit", args=[comment.pk]),
                {"body": "Changed by someone", "body_format": "text", "action": "save"})
    client.post(reverse("discussions:comment-withdraw", args=[comment.pk]))
    comment.refresh_from_db()
    assert (comment.status == Comment.Status.WITHDRAWN) is allowed
    assert ("Changed by someone" in comment.body) is allowed


def test_visitors_cannot_edit_or_withdraw(client, world):
    comment = world["published"]
    assert client.post(reverse("discussions:comment-withdraw", args=[comment.pk])).status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


@pytest.mark.parametrize("role, status", [("visitor", 404), ("author", 404), ("stakeholder", 404),
                                          ("moderator", 200), ("secretariat", 404)])
def test_a_draft_discussion_is_seen_only_by_moderators(client, world, role, status):
    draft = make_discussion(status=Discussion.Status.DRAFT)
    as_role(client, world, role)
    assert client.get(draft.get_absolute_url()).status_code == status


def test_replying_to_a_pending_comment_of_someone_else_is_404(client, world):
    client.force_login(world["users"]["stakeholder"])
    response = client.post(reverse("discussions:comment-create", args=[world["discussion"].slug]), {
        "parent": world["pending"].pk, "body": "x", "submission_key": str(uuid.uuid4()), "action": "post"})
    assert response.status_code == 404


def test_a_submission_key_used_by_someone_else_is_refused(client, world):
    key = str(uuid.uuid4())
    url = reverse("discussions:comment-create", args=[world["discussion"].slug])
    client.force_login(world["users"]["author"])
    client.post(url, {"body": "Mine", "submission_key": key, "action": "post"})
    client.force_login(world["users"]["stakeholder"])
    response = client.post(url, {"body": "Theirs", "submission_key": key, "action": "post"})
    assert response.status_code == 403
    assert Comment.objects.filter(body_text="Theirs").count() == 0


def test_following_needs_a_login(client, world):
    response = client.post(reverse("discussions:discussion-follow", args=[world["discussion"].slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_reserved_words_are_never_taken_for_a_discussion_slug():
    assert reverse("discussions:moderation-queue") == "/discussions/moderation/"
    from django.urls import resolve

    assert resolve("/discussions/moderation/").url_name == "moderation-queue"
