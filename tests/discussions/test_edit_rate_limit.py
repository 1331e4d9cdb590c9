"""Comment edits are rate limited per account (HUB_COMMENT_EDIT_RATE_LIMIT): every save stores a version."""
import pytest
from django.urls import reverse

from discussions.models import CommentVersion
from tests.factories import make_comment, make_discussion, make_user

pytestmark = pytest.mark.django_db


def edit(client, comment, body: str, action: str = "save"):
    return client.post(reverse("discussions:comment-edit", args=[comment.pk]),
                       {"body": body, "body_format": "text", "action": action})


def test_the_edit_past_the_limit_is_refused_with_the_text_kept_and_no_new_version(client, settings):
    settings.HUB_COMMENT_EDIT_RATE_LIMIT = "3/h"
    author = make_user()
    comment = make_comment(discussion=make_discussion(moderation="post"), author=author)
    client.force_login(author)
    for n in range(3):
        assert edit(client, comment, f"Version {n}.").status_code == 302
    assert CommentVersion.objects.filter(comment=comment).count() == 3
    long_text = "My careful rewording, " + "kept word for word. " * 900  # about 19 KB
    response = edit(client, comment, long_text)
    assert response.status_code == 429
    html = response.content.decode()
    assert "You have edited comments many times in a short time." in html
    assert "your text is still here" in html
    assert long_text.strip() in html
    assert CommentVersion.objects.filter(comment=comment).count() == 3
    comment.refresh_from_db()
    assert comment.body == "<p>Version 2.</p>"


def test_the_limit_counts_the_account_across_its_comments_and_previews(client, settings):
    settings.HUB_COMMENT_EDIT_RATE_LIMIT = "2/h"
    author = make_user()
    discussion = make_discussion(moderation="post")
    first, second = make_comment(discussion=discussion, author=author), make_comment(discussion=discussion, author=author)
    client.force_login(author)
    assert edit(client, first, "Looking at it.", action="preview").status_code == 200
    assert edit(client, first, "Saved.").status_code == 302
    assert edit(client, second, "Another comment.").status_code == 429
    assert not CommentVersion.objects.filter(comment=second).exists()


def test_another_author_has_a_count_of_their_own(client, settings):
    settings.HUB_COMMENT_EDIT_RATE_LIMIT = "1/h"
    discussion = make_discussion(moderation="post")
    one, other = make_user(), make_user()
    client.force_login(one)
    assert edit(client, make_comment(discussion=discussion, author=one), "Mine.").status_code == 302
    client.force_login(other)
    assert edit(client, make_comment(discussion=discussion, author=other), "Mine too.").status_code == 302


def test_opening_the_edit_page_is_not_counted(client, settings):
    settings.HUB_COMMENT_EDIT_RATE_LIMIT = "1/h"
    author = make_user()
    comment = make_comment(discussion=make_discussion(moderation="post"), author=author)
    client.force_login(author)
    for _ in range(3):
        assert client.get(reverse("discussions:comment-edit", args=[comment.pk])).status_code == 200
    assert edit(client, comment, "Now saved.").status_code == 302
