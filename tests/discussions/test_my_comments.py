"""The profile page lists the user's own comments with their status and the moderator's reason."""
import pytest

from tests.factories import make_comment, make_discussion, make_question, make_user

pytestmark = pytest.mark.django_db


def test_the_profile_lists_my_comments_with_status_and_the_reason_for_a_decline(client):
    author = make_user(name="Amina Author")
    other = make_user(name="Someone Else")
    discussion = make_discussion(title="Draft workplan consultation")
    question = make_question(discussion=discussion, text="Which priorities matter to you?")
    make_comment(discussion=discussion, question=question, author=author, status="pending",
                 body="<p>Waiting for review.</p>", body_text="Waiting for review.")
    make_comment(discussion=discussion, question=question, author=author, status="declined",
                 decline_reason="Duplicate of your earlier comment.", body="<p>Posted twice.</p>",
                 body_text="Posted twice.")
    make_comment(discussion=discussion, question=question, author=other, status="declined",
                 decline_reason="Someone else's reason.", body="<p>Not mine.</p>", body_text="Not mine.")
    client.force_login(author)
    html = client.get("/profile/").content.decode()
    assert "My comments" in html
    assert "Awaiting moderation" in html and "Waiting for review." in html
    assert "Declined" in html and "Duplicate of your earlier comment." in html
    assert "Not mine." not in html and "Someone else&#x27;s reason." not in html
    assert "Draft workplan consultation" in html


def test_without_comments_the_profile_points_to_the_discussions(client):
    user = make_user()
    client.force_login(user)
    html = client.get("/profile/").content.decode()
    assert "You have not commented yet." in html
    assert 'href="/discussions/"' in html
