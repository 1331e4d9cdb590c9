"""Nothing of a draft discussion reaches anyone but its moderators: not its published comments on the (public)
workplan pages, not its files, documents or comment links, not a report form for its comments.

The roles: a visitor, a stakeholder who wrote the comment, another stakeholder, the draft's own moderator and
the moderator of another discussion."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from discussions.models import Discussion, DiscussionDocument
from tests.factories import (make_attachment, make_comment, make_discussion, make_priority, make_user,
                             make_workplan, minimal_pdf)

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "author", "stakeholder", "other_moderator", "moderator"]
SEES_THE_DRAFT = {"moderator"}


@pytest.fixture
def world():
    workplan = make_workplan()
    priority = make_priority(workplan=workplan)
    moderator, other_moderator, author = make_user(), make_user(), make_user()
    draft = make_discussion(workplan=workplan, status=Discussion.Status.DRAFT, moderators=[moderator])
    public = make_discussion(workplan=workplan, moderators=[other_moderator])
    secret = make_comment(discussion=draft, author=author, priorities=[priority],
                          body="<p>Words of the draft.</p>", body_text="Words of the draft.")
    shown = make_comment(discussion=public, priorities=[priority], body="<p>Words of the open discussion.</p>",
                         body_text="Words of the open discussion.")
    users = {"visitor": None, "author": author, "stakeholder": make_user(), "other_moderator": other_moderator,
             "moderator": moderator}
    return {"workplan": workplan, "priority": priority, "draft": draft, "secret": secret, "shown": shown,
            "users": users}


def as_role(client, world, role):
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_the_priority_page_never_shows_a_drafts_published_comments(client, world, role):
    html = as_role(client, world, role).get(world["priority"].get_absolute_url()).content.decode()
    assert "Words of the open discussion." in html
    assert "Words of the draft." not in html


@pytest.mark.parametrize("role", ROLES)
def test_the_workplan_overview_does_not_count_a_drafts_comments(client, world, role):
    response = as_role(client, world, role).get(world["workplan"].get_absolute_url())
    [row] = [r for r in response.context["overview"].new if r.priority == world["priority"]]
    assert row.comment_count == 1


def test_the_feedback_provider_leaves_drafts_out():
    from workplan import feedback

    priority = make_priority()
    draft = make_discussion(status=Discussion.Status.DRAFT)
    public = make_discussion()
    make_comment(discussion=draft, priorities=[priority])
    shown = make_comment(discussion=public, priorities=[priority])
    assert feedback.published_counts([priority.pk]) == {priority.pk: 1}
    assert list(feedback.provider().published_feedback(priority)) == [shown]


@pytest.mark.parametrize("role", ROLES)
def test_a_drafts_attachments_download_only_for_its_moderators(client, world, role):
    attachment = make_attachment(comment=world["secret"])
    response = as_role(client, world, role).get(reverse("discussions:attachment-download", args=[attachment.pk]))
    assert response.status_code == (200 if role in SEES_THE_DRAFT else 404)
    if response.status_code == 200:
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ROLES)
def test_a_drafts_documents_download_only_for_its_moderators(client, world, role):
    document = DiscussionDocument(discussion=world["draft"], title="Draft workplan")
    document.file.save("draft-workplan.pdf", ContentFile(minimal_pdf()), save=True)
    response = as_role(client, world, role).get(reverse("discussions:document-download", args=[document.pk]))
    assert response.status_code == (200 if role in SEES_THE_DRAFT else 404)
    if response.status_code == 200:
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ROLES)
def test_a_drafts_comment_permalink_is_404_but_for_its_moderators(client, world, role):
    response = as_role(client, world, role).get(reverse("discussions:comment-detail", args=[world["secret"].pk]))
    assert response.status_code == (302 if role in SEES_THE_DRAFT else 404)


@pytest.mark.parametrize("role", ["author", "stakeholder", "other_moderator"])
def test_a_drafts_comment_cannot_be_reported_or_opened_for_moderation(client, world, role):
    client = as_role(client, world, role)
    pk = world["secret"].pk
    assert client.get(reverse("discussions:comment-flag", kwargs={"pk": pk})).status_code == 404
    assert client.post(reverse("discussions:comment-flag", kwargs={"pk": pk}), {"reason": "spam"}).status_code == 404
    assert client.get(reverse("discussions:comment-moderate", kwargs={"pk": pk})).status_code == 404
    assert not world["secret"].flags.exists()


def test_a_discussion_put_back_to_draft_takes_its_comments_with_it(client, world):
    shown = world["shown"]
    attachment = make_attachment(comment=shown)
    assert client.get(reverse("discussions:attachment-download", args=[attachment.pk])).status_code == 200
    Discussion.objects.filter(pk=shown.discussion_id).update(status=Discussion.Status.DRAFT)
    assert client.get(reverse("discussions:attachment-download", args=[attachment.pk])).status_code == 404
    assert client.get(reverse("discussions:comment-detail", args=[shown.pk])).status_code == 404
    assert "Words of the open discussion." not in client.get(world["priority"].get_absolute_url()).content.decode()
