"""Posting journeys: answers, replies and general comments, through the page and the services."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from discussions import services, uploads
from discussions.models import Comment, CommentVersion, Discussion, Subscription
from discussions.moderation import question_post
from discussions.services import BodyFormat
from hub.models import AuditEntry, Attribution
from tests.factories import (
    make_comment, make_discussion, make_organisation, make_priority, make_question, make_user,
    make_working_group, make_workplan, minimal_pdf,
)

pytestmark = pytest.mark.django_db


def post_url(discussion) -> str:
    return reverse("discussions:comment-create", kwargs={"slug": discussion.slug})


def form_data(**fields) -> dict:
    data = {"body": "We support this.", "body_format": "text", "submission_key": str(uuid.uuid4()), "action": "post"}
    data.update(fields)
    return data


def test_answering_a_question_under_pre_moderation_leaves_it_pending_and_says_so(client, django_capture_on_commit_callbacks):
    question = make_question()
    user = make_user(name="Amina Odhiambo-Wanjiru")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(post_url(question.discussion), form_data(question=question.pk), follow=True)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.question == question and comment.parent is None and comment.depth == 0
    assert comment.author_name == "Amina Odhiambo-Wanjiru"
    assert comment.body == "<p>We support this.</p>"
    page = response.content.decode()
    assert "Your comment is awaiting moderation" in page
    assert f'id="comment-{comment.pk}"' in page and "Awaiting moderation" in page
    assert AuditEntry.objects.filter(action="comment.post", target_id=str(comment.pk)).exists()


def test_a_pending_comment_is_shown_to_nobody_but_its_author(client):
    comment = make_comment(question=make_question(), status="pending")
    other = make_user()
    client.force_login(other)
    page = client.get(comment.discussion.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in page
    client.logout()
    assert f'id="comment-{comment.pk}"' not in client.get(comment.discussion.get_absolute_url()).content.decode()


def test_post_moderation_publishes_at_once(client):
    discussion = make_discussion(moderation=Discussion.Moderation.POST)
    client.force_login(make_user())
    response = client.post(post_url(discussion), form_data(), follow=True)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PUBLISHED and comment.published_at is not None
    assert comment.question is None  # a general comment
    assert "Your comment is published" in response.content.decode()


def test_a_reply_threads_under_its_parent_with_the_next_depth(client):
    parent = make_comment(question=make_question())
    client.force_login(make_user())
    client.post(post_url(parent.discussion), form_data(parent=parent.pk, body="Agreed with the point above."))
    reply = Comment.objects.get(parent=parent)
    assert reply.depth == 1 and reply.question == parent.question


def test_posting_the_same_form_twice_creates_one_comment(client):
    question = make_question()
    client.force_login(make_user())
    data = form_data(question=question.pk)
    first = client.post(post_url(question.discussion), data)
    second = client.post(post_url(question.discussion), data)
    assert Comment.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_editor_html_is_cleaned_and_pasted_lists_survive():
    question = make_question()
    user = make_user()
    pasted = ('<p style="color:red" class="MsoNormal">Our points:</p><ol><li><span style="font-weight:700">First</span>'
              '</li><li>Second <script>alert(1)</script></li></ol><ul><li>bullet</li></ul>'
              '<blockquote>GCM Obj. 15, PD 51</blockquote><a href="javascript:alert(1)">bad</a> see https://example.org')
    comment = services.comment_post(actor=user, discussion=question.discussion, question=question, body=pasted)
    assert "<ol><li>" in comment.body and "<ul><li>bullet</li></ul>" in comment.body
    assert "<blockquote>" in comment.body
    assert "script" not in comment.body and "javascript" not in comment.body and "style=" not in comment.body
    assert 'href="https://example.org"' in comment.body
    assert "1. First" in comment.body_text


def test_plain_text_without_the_editor_becomes_paragraphs():
    question = make_question()
    comment = services.comment_post(actor=make_user(), discussion=question.discussion, question=question,
                                    body="First paragraph.\n\nSecond <b>one</b>.", body_format=BodyFormat.TEXT)
    assert comment.body == "<p>First paragraph.</p><p>Second &lt;b&gt;one&lt;/b&gt;.</p>"


def test_a_closed_discussion_refuses_a_comment_with_a_clear_message_and_keeps_the_text(client):
    discussion = make_discussion(closes_at=timezone.now() - timedelta(minutes=1))
    client.force_login(make_user())
    response = client.post(post_url(discussion), form_data(body="My careful words."))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This discussion is closed" in page and "My careful words." in page
    assert not Comment.objects.exists()


def test_a_locked_question_refuses_answers():
    question = make_question(locked=True)
    with pytest.raises(PermissionDenied, match="locked"):
        services.comment_post(actor=make_user(), discussion=question.discussion, question=question, body="Hi")


def test_a_body_over_the_limit_gets_a_clear_message_and_the_form_keeps_the_text(client):
    question = make_question()
    client.force_login(make_user())
    long_text = "word " * 4500  # 22,500 characters
    response = client.post(post_url(question.discussion), form_data(question=question.pk, body=long_text))
    assert response.status_code == 400
    page = response.content.decode()
    assert "comments may have at most 20,000" in page
    assert long_text.strip()[:200] in page
    assert not Comment.objects.exists()


def test_a_body_far_above_the_limit_in_markup_is_refused_before_cleaning_and_the_form_keeps_it(client):
    question = make_question()
    client.force_login(make_user())
    # 15,000 characters of text, but 150,000 of markup: refused on its raw size, before any cleaning or linking.
    body_html = "<p><strong><em><u>word</u></em></strong></p>" * 3000 + "<p>tail-marker</p>"
    assert len(body_html) > services.MAX_RAW_CHARS and len(services.html_to_text(body_html)) < services.MAX_BODY_CHARS
    response = client.post(post_url(question.discussion), form_data(
        question=question.pk, body="word " * 3000, body_html=body_html, body_format="html"))
    assert response.status_code == 400
    page = response.content.decode()
    assert f"with its formatting it has {len(body_html):,} characters, and at most 100,000 can be sent" in page
    assert "&lt;p&gt;tail-marker&lt;/p&gt;" in page  # what was typed is in the form again
    assert not Comment.objects.exists()


@pytest.mark.parametrize("action", ["post", "preview"])
def test_plain_text_over_the_limit_is_refused_with_its_length_before_it_is_made_html(client, monkeypatch, action):
    question = make_question()
    client.force_login(make_user())
    monkeypatch.setattr(services, "text_to_html", lambda text: pytest.fail("an over-long text was made HTML"))
    long_text = "word\n\n" * 4500  # 4,500 paragraphs: 22,499 characters of text
    response = client.post(post_url(question.discussion), form_data(question=question.pk, body=long_text,
                                                                    action=action))
    assert response.status_code == 400
    assert "Your comment has 22,499 characters; comments may have at most 20,000" in response.content.decode()
    assert not Comment.objects.exists()


def test_plain_text_above_the_raw_cap_is_told_its_length_in_characters_of_text():
    with pytest.raises(ValidationError, match="Your comment has 149,999 characters; comments may have at most 20,000"):
        services.body_to_html("word " * 30_000, body_format=BodyFormat.TEXT)


def test_a_pathological_body_from_the_editor_is_posted_cleaned_and_linked():
    question = make_question()
    body = "<p>" + "a." * 5000 + " " + "a@a." * 2000 + " see https://example.org/ok." + "</p>" + "<b>" * 100
    comment = services.comment_post(actor=make_user(), discussion=question.discussion, question=question,
                                    body=body, body_format=BodyFormat.HTML)
    assert comment.body.count("<a ") == 1 and 'href="https://example.org/ok"' in comment.body
    assert comment.body_text == "a." * 5000 + " " + "a@a." * 2000 + " see https://example.org/ok."


def test_an_incomplete_profile_cannot_post():
    question = make_question()
    with pytest.raises(PermissionDenied, match="profile"):
        services.comment_post(actor=make_user(complete=False), discussion=question.discussion, question=question,
                              body="Hello")


def test_the_attribution_snapshot_survives_profile_changes():
    organisation = make_organisation(name="Global Union of Care Workers", network_member=True, badge="UN Network")
    user = make_user(name="Lotte Vermeulen", organisation=organisation, attribution=Attribution.ORGANISATION)
    question = make_question()
    comment = services.comment_post(actor=user, discussion=question.discussion, question=question, body="Hi")
    assert comment.shown_name == "Global Union of Care Workers"
    assert comment.author_badge == "UN Network" and comment.show_personal_name is False
    user.profile.display_name = "Someone Else"
    user.profile.save()
    comment.refresh_from_db()
    assert comment.author_name == "Lotte Vermeulen"


def test_priorities_must_belong_to_the_discussions_workplan():
    workplan = make_workplan()
    mine = make_priority(workplan=workplan)
    foreign = make_priority()
    question = make_question(discussion=make_discussion(workplan=workplan))
    comment = services.comment_post(actor=make_user(), discussion=question.discussion, question=question, body="x",
                                    priorities=[mine])
    assert list(comment.priorities.all()) == [mine]
    with pytest.raises(ValidationError):
        services.comment_post(actor=make_user(), discussion=question.discussion, question=question, body="x",
                              priorities=[foreign])


def test_preview_shows_the_text_and_ticks_the_priorities_it_mentions(client):
    workplan = make_workplan()
    op3 = make_priority(workplan=workplan, kind="ongoing", number=3, title="Alternatives to immigration detention")
    make_priority(workplan=workplan, kind="new", number=5)
    question = make_question(discussion=make_discussion(workplan=workplan))
    client.force_login(make_user())
    response = client.post(post_url(question.discussion), form_data(
        question=question.pk, action="preview", body="We care about Ongoing Priority 3 most."))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview: this is how your comment will look" in page
    assert re.search(rf'<input[^>]*value="{op3.pk}"[^>]*checked', page)
    assert 'class="priority-mention"' in page
    assert not Comment.objects.exists()


def test_posting_with_priorities_and_working_groups_from_the_form(client):
    workplan = make_workplan()
    priority = make_priority(workplan=workplan)
    group = make_working_group(workplan=workplan)
    question = make_question(discussion=make_discussion(workplan=workplan))
    client.force_login(make_user())
    client.post(post_url(question.discussion), form_data(question=question.pk, priorities=[priority.pk],
                                                         working_groups=[group.pk]))
    comment = Comment.objects.get()
    assert list(comment.priorities.all()) == [priority] and list(comment.working_groups.all()) == [group]


def test_authors_edit_their_published_comment_which_goes_back_to_review_and_keeps_the_old_text(client):
    author = make_user()
    comment = make_comment(question=make_question(), author=author, body="<p>Old words.</p>")
    client.force_login(author)
    response = client.post(reverse("discussions:comment-edit", args=[comment.pk]),
                           {"body": "New words.", "body_format": "text", "action": "save"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "<p>New words.</p>" and comment.status == Comment.Status.PENDING
    assert comment.edit_count == 1 and comment.edited_at is not None
    assert CommentVersion.objects.get(comment=comment).body == "<p>Old words.</p>"


def test_under_post_moderation_an_edited_comment_stays_published():
    author = make_user()
    comment = make_comment(discussion=make_discussion(moderation="post"), author=author)
    services.comment_edit(actor=author, comment=comment, body="<p>Better.</p>")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED and comment.edit_count == 1


def test_nobody_edits_someone_elses_comment():
    comment = make_comment(question=make_question())
    with pytest.raises(PermissionDenied):
        services.comment_edit(actor=make_user(), comment=comment, body="Mine now")


def test_authors_cannot_edit_once_the_discussion_is_closed():
    author = make_user()
    comment = make_comment(discussion=make_discussion(status=Discussion.Status.CLOSED), author=author)
    with pytest.raises(PermissionDenied):
        services.comment_edit(actor=author, comment=comment, body="Late")


def test_authors_withdraw_their_comment_and_it_leaves_the_page(client):
    author = make_user()
    comment = make_comment(question=make_question(), author=author, body="<p>Withdraw me.</p>")
    client.force_login(author)
    client.post(reverse("discussions:comment-withdraw", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.WITHDRAWN
    assert "Withdraw me." not in client.get(comment.discussion.get_absolute_url()).content.decode()


def test_a_published_reply_emails_the_parent_author_who_follows_with_an_unsubscribe_link(
        client, django_capture_on_commit_callbacks):
    discussion = make_discussion(moderation="post")
    parent_author = make_user(email="amina@example.org")
    parent = make_comment(discussion=discussion, author=parent_author)
    Subscription.objects.create(user=parent_author, discussion=discussion)
    replier = make_user(name="Richard Francis Ellington-Moreau")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(actor=replier, discussion=discussion, parent=parent, body="A reply.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amina@example.org"]
    assert "Richard Francis Ellington-Moreau replied" in message.subject
    unsubscribe = re.search(r"http://\S+/discussions/unsubscribe/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert unsubscribe.startswith(settings.HUB_SITE_URL + "/")
    path = unsubscribe.removeprefix(settings.HUB_SITE_URL)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.get(path).status_code == 200  # opening the link only asks
    assert Subscription.objects.filter(user=parent_author).exists()
    response = client.post(path)
    assert response.status_code == 200 and "no longer follow" in response.content.decode()
    assert not Subscription.objects.filter(user=parent_author).exists()


def test_a_pending_reply_sends_no_email_until_it_is_published(django_capture_on_commit_callbacks):
    discussion = make_discussion()
    parent = make_comment(discussion=discussion)
    Subscription.objects.create(user=parent.author, discussion=discussion)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.comment_post(actor=make_user(), discussion=discussion, parent=parent, body="A reply.")
    assert [m for m in mail.outbox if parent.author.email in m.to] == []
    from discussions.notifications import notify_comment_published

    Comment.objects.filter(pk=reply.pk).update(status=Comment.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        notify_comment_published(reply)
    assert [m.to for m in mail.outbox if parent.author.email in m.to] == [[parent.author.email]]


def test_followers_hear_of_a_new_question(django_capture_on_commit_callbacks):
    moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    follower = make_user(email="follower@example.org")
    services.discussion_follow(actor=follower, discussion=discussion)
    with django_capture_on_commit_callbacks(execute=True):
        question_post(actor=moderator, discussion=discussion, text="What else should we consider?")
    assert [m.to for m in mail.outbox] == [["follower@example.org"]]
    assert "What else should we consider?" in mail.outbox[0].body
    assert "unsubscribe" in mail.outbox[0].body


def test_a_tampered_unsubscribe_link_is_refused(client):
    assert client.get("/discussions/unsubscribe/not-a-token/").status_code == 400


def test_following_and_unfollowing_from_the_page(client):
    discussion = make_discussion()
    user = make_user()
    client.force_login(user)
    client.post(reverse("discussions:discussion-follow", args=[discussion.slug]))
    assert Subscription.objects.filter(user=user, discussion=discussion).exists()
    client.post(reverse("discussions:discussion-unfollow", args=[discussion.slug]))
    assert not Subscription.objects.filter(user=user, discussion=discussion).exists()


def test_posting_is_rate_limited(client, settings):
    settings.HUB_COMMENT_RATE_LIMIT = "2/h"
    discussion = make_discussion(moderation="post")
    client.force_login(make_user())
    for _ in range(2):
        assert client.post(post_url(discussion), form_data()).status_code == 302
    response = client.post(post_url(discussion), form_data(body="Third try"))
    assert response.status_code == 429 and "Third try" in response.content.decode()
    assert Comment.objects.count() == 2



# --- Files are read and stored only for someone who may post, within the rate limit -----------------------------

def staged_in_storage(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "attachments" / "staged"
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def a_pdf(name: str = "Our position.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")


@pytest.fixture
def files_must_not_be_read(monkeypatch):
    monkeypatch.setattr(uploads, "check_file", lambda upload: pytest.fail(f"{upload.name} was read"))


@pytest.mark.parametrize("action", ["post", "preview"])
@pytest.mark.parametrize("who", ["anonymous", "incomplete profile", "closed discussion"])
def test_a_file_sent_by_someone_who_may_not_post_is_neither_read_nor_stored(
        client, settings, files_must_not_be_read, who, action):
    if who == "closed discussion":
        discussion = make_discussion(closes_at=timezone.now() - timedelta(minutes=1))
    else:
        discussion = make_discussion()
    if who != "anonymous":
        client.force_login(make_user(complete=who != "incomplete profile"))
    response = client.post(post_url(discussion), form_data(body="My careful words.", action=action,
                                                           files=[a_pdf()]))
    if who == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 403 and "My careful words." in response.content.decode()
    assert staged_in_storage(settings) == []
    assert not client.session.get("discussions_staged_files")
    assert not Comment.objects.exists()


def test_a_post_over_the_rate_limit_neither_reads_nor_stores_its_files_and_says_to_choose_them_again(
        client, settings, monkeypatch):
    settings.HUB_COMMENT_RATE_LIMIT = "1/h"
    discussion = make_discussion(moderation="post")
    client.force_login(make_user())
    assert client.post(post_url(discussion), form_data()).status_code == 302
    monkeypatch.setattr(uploads, "check_file", lambda upload: pytest.fail(f"{upload.name} was read"))
    response = client.post(post_url(discussion), form_data(body="Second try", files=[a_pdf()]))
    assert response.status_code == 429
    page = response.content.decode()
    assert "Second try" in page and "Files chosen just now were not kept: choose them again" in page
    assert staged_in_storage(settings) == []
    assert Comment.objects.count() == 1


def test_edits_are_rate_limited_before_their_files_are_read(client, settings, monkeypatch):
    settings.HUB_COMMENT_EDIT_RATE_LIMIT = "1/h"
    author = make_user()
    comment = make_comment(author=author, question=make_question())
    client.force_login(author)
    url = reverse("discussions:comment-edit", args=[comment.pk])
    assert client.post(url, {"body": "Better words.", "body_format": "text", "action": "save"}).status_code == 302
    monkeypatch.setattr(uploads, "check_file", lambda upload: pytest.fail(f"{upload.name} was read"))
    response = client.post(url, {"body": "Best words.", "body_format": "text", "action": "save", "files": [a_pdf()]})
    assert response.status_code == 429 and "Best words." in response.content.decode()
    assert staged_in_storage(settings) == []
    comment.refresh_from_db()
    assert comment.body_text == "Better words." and not comment.attachments.exists()


def test_a_preview_is_not_counted_against_the_rate_limit(client, settings):
    settings.HUB_COMMENT_RATE_LIMIT = "1/h"
    discussion = make_discussion(moderation="post")
    client.force_login(make_user())
    for _ in range(3):
        assert client.post(post_url(discussion), form_data(action="preview")).status_code == 200
    assert client.post(post_url(discussion), form_data()).status_code == 302


@pytest.mark.parametrize("field", ["priorities", "working_groups"])
def test_an_id_too_large_for_the_database_is_an_invalid_choice_not_a_server_error(client, field):
    workplan = make_workplan()
    make_priority(workplan=workplan, number=1)
    make_working_group(workplan=workplan)
    discussion = make_discussion(workplan=workplan, moderation="post")
    client.force_login(make_user())
    response = client.post(post_url(discussion), form_data(body="Kept text", **{field: ["9" * 30]}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kept text" in page and "is not a valid value" in page
    assert Comment.objects.count() == 0
