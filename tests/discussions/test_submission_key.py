"""The comment form's submission key: a retried post (double click, reload, a server that died before answering)
gives its one comment; a post cut short leaves nothing behind, so the retry posts it whole."""
from __future__ import annotations

import hashlib
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from discussions import services
from discussions.forms import CommentForm
from discussions.models import Attachment, Comment, Discussion
from hub.models import AuditEntry
from hub.uploads import CheckedFile
from tests.factories import make_comment, make_discussion, make_priority, make_question, make_user, make_workplan, minimal_pdf

pytestmark = pytest.mark.django_db


def pdf(name: str = "position.pdf") -> CheckedFile:
    data = minimal_pdf("Full comments")
    return CheckedFile(name=name, content_type="application/pdf", size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), data=data)


@pytest.fixture
def world():
    workplan = make_workplan()
    discussion = make_discussion(workplan=workplan, moderation=Discussion.Moderation.POST)
    return {"question": make_question(discussion=discussion), "priority": make_priority(workplan=workplan),
            "author": make_user()}


def post(world, key, **fields):
    defaults = {"actor": world["author"], "discussion": world["question"].discussion, "question": world["question"],
                "body": "We support this priority.", "body_format": "text", "priorities": [world["priority"]],
                "files": [pdf()], "submission_key": key}
    defaults.update(fields)
    return services.comment_post(**defaults)


def test_a_new_form_carries_a_fresh_hidden_submission_key():
    first, second = CommentForm(), CommentForm()
    assert first["submission_key"].as_widget().startswith('<input type="hidden" name="submission_key"')
    assert uuid.UUID(str(first.initial["submission_key"])) != uuid.UUID(str(second.initial["submission_key"]))


def test_posting_again_with_the_same_key_returns_the_first_comment_and_writes_nothing(world):
    key = uuid.uuid4()
    first = post(world, key)
    again = post(world, str(key), body="A second click, a little edited.", files=[pdf(), pdf("other.pdf")])
    assert again.pk == first.pk
    assert Comment.objects.count() == 1 and Attachment.objects.count() == 1
    assert AuditEntry.objects.filter(action="comment.post").count() == 1
    assert Comment.objects.get().body_text == "We support this priority."


def test_another_author_cannot_use_someone_elses_key(world):
    key = uuid.uuid4()
    post(world, key)
    with pytest.raises(PermissionDenied):
        post(world, key, actor=make_user(), body="Theirs")
    assert Comment.objects.count() == 1


def test_the_database_refuses_a_second_comment_with_the_same_key(world):
    key = uuid.uuid4()
    make_comment(question=world["question"], submission_key=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_comment(question=world["question"], submission_key=key)


def test_a_race_on_the_same_key_is_settled_by_the_constraint_and_answers_the_winner(world, monkeypatch):
    """Two requests with one key both pass the first lookup; the second insert fails and returns the first."""
    key = uuid.uuid4()
    winner = make_comment(question=world["question"], author=world["author"], submission_key=key)
    real_filter = Comment.objects.filter
    calls = {"n": 0}

    def first_lookup_misses(*args, **kwargs):
        calls["n"] += 1
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if calls["n"] == 1 else queryset

    monkeypatch.setattr(Comment.objects, "filter", first_lookup_misses)
    assert post(world, key).pk == winner.pk
    assert Comment.objects.count() == 1 and not Attachment.objects.exists()


def test_a_post_cut_short_leaves_no_partial_comment_and_the_retry_posts_it_whole(world, monkeypatch):
    key = uuid.uuid4()

    def dies(**kwargs):
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(services, "audit_log", dies)
    with pytest.raises(RuntimeError):
        post(world, key)
    assert not Comment.objects.exists() and not Attachment.objects.exists()
    assert not Comment.priorities.through.objects.exists()
    monkeypatch.undo()
    comment = post(world, key)
    assert comment.attachments.count() == 1 and list(comment.priorities.all()) == [world["priority"]]
    assert AuditEntry.objects.filter(action="comment.post", target_id=str(comment.pk)).count() == 1


def test_resending_the_page_form_after_a_lost_answer_lands_on_the_same_comment(client, world):
    client.force_login(world["author"])
    url = reverse("discussions:comment-create", args=[world["question"].discussion.slug])
    page = client.get(url, {"question": world["question"].pk})
    key = page.context["form"].initial["submission_key"]
    data = {"question": world["question"].pk, "body": "Sent once, answered never.", "body_format": "text",
            "submission_key": str(key), "action": "post"}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Comment.objects.filter(body_text="Sent once, answered never.").count() == 1
