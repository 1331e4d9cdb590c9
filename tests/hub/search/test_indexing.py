"""What enters the search index and when it leaves: only public things, kept in step on commit."""
from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.db import transaction

from discussions.models import Comment, Discussion
from discussions.moderation.edit import comment_retag
from discussions.moderation.hide import comment_hide
from discussions.moderation.publish import comment_publish
from discussions.services import comment_edit, comment_post, comment_withdraw
from discussions.uploads import CheckedFile
from hub.search import indexing, registry
from hub.search.models import SearchEntry
from tests.factories import (
    make_attachment, make_comment, make_discussion, make_priority, make_question, make_user, make_working_group,
    make_workplan, minimal_pdf,
)
from tests.hub.search.conftest import found

pytestmark = pytest.mark.django_db


def test_a_published_comment_is_found_by_a_word_of_its_body(committed):
    with committed():
        comment = make_comment(body_text="Remittances deserve a priority of their own.")
    assert found("remittances") == [("comment", comment.pk)]


@pytest.mark.parametrize("status", ["pending", "declined", "hidden", "withdrawn"])
def test_a_comment_that_is_not_published_is_not_in_the_index(committed, status):
    with committed():
        make_comment(status=status, body_text="Remittances deserve a priority of their own.")
    assert found("remittances") == []
    assert not SearchEntry.objects.filter(kind="comment").exists()


def test_nothing_of_a_draft_discussion_is_in_the_index(committed):
    with committed():
        discussion = make_discussion(status=Discussion.Status.DRAFT, title="Remittances consultation")
        make_question(discussion=discussion, text="What about remittances?")
        make_comment(discussion=discussion, body_text="Remittances deserve a priority of their own.")
    assert found("remittances") == []
    assert not SearchEntry.objects.exists()


def test_publishing_a_pending_comment_adds_it_to_the_index_on_commit(committed):
    moderator = make_user(role="Moderators")
    comment = make_comment(status="pending", body_text="Remittances deserve a priority of their own.")
    with committed() as callbacks:
        comment_publish(actor=moderator, comment=comment)
        assert found("remittances") == []  # not before the transaction commits
    assert callbacks
    assert found("remittances") == [("comment", comment.pk)]


def test_hiding_a_published_comment_takes_it_out_of_the_index(committed):
    moderator = make_user(role="Moderators")
    with committed():
        comment = make_comment(body_text="Remittances deserve a priority of their own.")
    assert found("remittances")
    with committed():
        comment_hide(actor=moderator, comment=comment, reason="Off topic")
    assert found("remittances") == []
    assert not SearchEntry.objects.filter(kind="comment", object_id=comment.pk).exists()


def test_withdrawing_a_comment_takes_it_out_of_the_index(committed):
    with committed():
        comment = make_comment(body_text="Remittances deserve a priority of their own.")
    with committed():
        comment_withdraw(actor=comment.author, comment=comment)
    assert found("remittances") == []


def test_an_edit_that_sends_a_comment_back_to_review_takes_it_out_until_it_is_published_again(committed):
    moderator = make_user(role="Moderators")
    with committed():
        comment = make_comment(body_text="Remittances deserve a priority of their own.")
    with committed():
        comment_edit(actor=comment.author, comment=comment, body="<p>Diaspora bonds deserve a priority.</p>")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert found("remittances") == [] and found("diaspora") == []
    with committed():
        comment_publish(actor=moderator, comment=comment)
    assert found("diaspora") == [("comment", comment.pk)]
    assert found("remittances") == []  # the old text is gone from the index


def test_a_discussion_back_to_draft_takes_itself_its_questions_and_comments_out_and_back_in_when_reopened(committed):
    with committed():
        discussion = make_discussion(title="Consultation on remittances")
        question = make_question(discussion=discussion, text="Should remittances be a priority?")
        comment = make_comment(discussion=discussion, question=question, body_text="Remittances, yes.")
    expected = {("discussion", discussion.pk), ("question", question.pk), ("comment", comment.pk)}
    assert set(found("remittances")) == expected
    with committed():
        discussion.status = Discussion.Status.DRAFT
        discussion.save()
    assert found("remittances") == []
    assert not SearchEntry.objects.exists()
    with committed():
        discussion.status = Discussion.Status.OPEN
        discussion.save()
    assert set(found("remittances")) == expected


def test_a_transaction_that_rolls_back_indexes_nothing(committed):
    with committed():
        with pytest.raises(RuntimeError), transaction.atomic():
            make_comment(body_text="Remittances deserve a priority of their own.")
            raise RuntimeError("changed my mind")
        # The next transaction's changes are still indexed, although the first one's pending batch was discarded.
        kept = make_comment(body_text="Diaspora bonds deserve a priority.")
    assert found("remittances") == []
    assert found("diaspora") == [("comment", kept.pk)]


def test_a_comment_saved_many_times_in_one_transaction_is_indexed_once(committed, monkeypatch):
    provider = registry.provider("comment")
    calls = []
    original = provider.documents
    monkeypatch.setattr(provider, "documents", lambda pks: calls.append(pks) or original(pks))
    with committed():
        comment = make_comment(body_text="Remittances deserve a priority of their own.")
        for n in range(5):
            comment.body_text = f"Remittances, take {n}."
            comment.save()
    assert calls == [[comment.pk]]
    assert SearchEntry.objects.get(kind="comment").body == "Remittances, take 4."


def test_retagging_a_comment_moves_it_between_priority_filters(committed):
    workplan = make_workplan()
    first, second = make_priority(workplan=workplan), make_priority(workplan=workplan)
    moderator = make_user(role="Moderators")
    with committed():
        comment = make_comment(discussion=make_discussion(workplan=workplan), priorities=[first],
                               body_text="Remittances deserve a priority of their own.")
    assert found("remittances", priority_id=first.pk) == [("comment", comment.pk)]
    with committed():
        comment_retag(actor=moderator, comment=comment, priorities=[second], working_groups=[])
    assert found("remittances", priority_id=first.pk) == []
    assert found("remittances", priority_id=second.pk) == [("comment", comment.pk)]


def _pdf_file(text: str) -> CheckedFile:
    import hashlib

    data = minimal_pdf(text)
    return CheckedFile(name="Our position paper.pdf", content_type="application/pdf", size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), data=data)


def test_a_word_only_in_the_pdf_attachment_finds_the_comment(committed):
    discussion = make_discussion(moderation=Discussion.Moderation.POST)
    author = make_user()
    with committed():
        comment = comment_post(actor=author, discussion=discussion, body="<p>Our full comments are attached.</p>",
                               files=[_pdf_file("Seasonal agricultural workers need portable social protection")])
    assert comment.status == Comment.Status.PUBLISHED
    assert "agricultural" not in comment.body_text
    assert found("agricultural") == [("comment", comment.pk)]
    assert found("portable social protection") == [("comment", comment.pk)]
    assert found("position paper") == [("comment", comment.pk)]  # the file's name counts too


def test_removing_the_attachment_removes_its_words(committed):
    discussion = make_discussion(moderation=Discussion.Moderation.POST)
    with committed():
        comment = comment_post(actor=make_user(), discussion=discussion, body="<p>See the attached paper.</p>",
                               files=[_pdf_file("Seasonal agricultural workers")])
    attachment = comment.attachments.get()
    with committed():
        comment_edit(actor=comment.author, comment=comment, body="<p>See the attached paper.</p>",
                     remove_attachments=[attachment.pk])
    assert found("agricultural") == []
    assert found("attached paper") == [("comment", comment.pk)]


def test_an_attachment_added_outside_a_service_is_indexed_too(committed):
    with committed():
        comment = make_comment(body_text="See attached.")
        make_attachment(comment=comment, data=minimal_pdf("Circular migration schemes"))
    assert found("circular") == [("comment", comment.pk)]


def test_an_author_shown_by_organisation_only_cannot_be_found_by_their_personal_name(committed):
    from hub.models import Attribution

    author = make_user(name="Zebulon Quartermaine", attribution=Attribution.ORGANISATION)
    with committed():
        comment = make_comment(author=author, show_personal_name=False, body_text="We agree.")
    assert found("quartermaine") == []
    assert found(comment.author_organisation) == [("comment", comment.pk)]
    assert "Zebulon" not in SearchEntry.objects.get(kind="comment").title


def test_active_priorities_and_working_groups_are_indexed_inactive_priorities_are_not(committed):
    with committed():
        workplan = make_workplan()
        active = make_priority(workplan=workplan, title="Alternatives to immigration detention")
        inactive = make_priority(workplan=workplan, title="Detention statistics", active=False)
        group = make_working_group(workplan=workplan, name="Working group on detention", priorities=[active])
    assert set(found("detention")) == {("priority", active.pk), ("working_group", group.pk)}
    assert found("detention", priority_id=active.pk) == found("detention")
    with committed():
        active.active = False
        active.save()
    assert found("detention") == [("working_group", group.pk)]
    assert inactive.pk not in [pk for _kind, pk in found("statistics")]


def test_a_failure_while_indexing_is_logged_and_never_breaks_the_save(committed, monkeypatch, caplog):
    provider = registry.provider("comment")

    def broken(pks):
        raise RuntimeError("index unavailable")
        yield  # pragma: no cover

    monkeypatch.setattr(provider, "documents", broken)
    with caplog.at_level(logging.ERROR, logger="hub.search"), committed():
        comment = make_comment(body_text="Remittances deserve a priority of their own.")
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert "could not reindex" in caplog.text


def test_rebuild_search_index_indexes_everything_and_drops_what_is_no_longer_public(committed):
    comment = make_comment(body_text="Remittances deserve a priority of their own.")
    hidden = make_comment(body_text="Remittances are a private matter.")
    # Written behind the index's back, as QuerySet.update() or loaddata would:
    Comment.objects.filter(pk=hidden.pk).update(status=Comment.Status.HIDDEN)
    SearchEntry.objects.create(kind="comment", object_id=hidden.pk, title="stale", body="remittances", url="/")
    SearchEntry.objects.create(kind="gone_kind", object_id=1, title="remittances", url="/")
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert found("remittances") == [("comment", comment.pk)]
    assert set(SearchEntry.objects.values_list("kind", flat=True)) == {"comment", "discussion"}


def test_rebuild_forgets_the_text_of_attachments_that_are_gone(committed):
    from hub.search.models import ExtractedText

    with committed():
        comment = make_comment(body_text="See attached.")
        attachment = make_attachment(comment=comment, data=minimal_pdf("Circular migration schemes"))
    assert ExtractedText.objects.filter(sha256=attachment.sha256).exists()
    attachment.delete()
    indexing.rebuild()
    assert not ExtractedText.objects.exists()


def test_deleting_a_comment_or_its_discussion_removes_their_entries(committed):
    with committed():
        discussion = make_discussion(title="Remittances consultation")
        first = make_comment(discussion=discussion, body_text="Remittances first.")
        make_comment(discussion=discussion, body_text="Remittances second.")
    with committed():
        first.delete()
    assert ("comment", first.pk) not in found("remittances")
    with committed():
        discussion.delete()
    assert found("remittances") == []
    assert not SearchEntry.objects.exists()


def test_a_comment_with_an_unreadable_pdf_is_posted_and_found_by_its_body(committed, caplog):
    import hashlib

    data = b"%PDF-1.4\n" + b"\x00garbage" * 100
    broken = CheckedFile(name="broken.pdf", content_type="application/pdf", size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), data=data)
    discussion = make_discussion(moderation=Discussion.Moderation.POST)
    with caplog.at_level(logging.WARNING, logger="hub.search.extraction"), committed():
        comment = comment_post(actor=make_user(), discussion=discussion, body="<p>Remittances, see attached.</p>",
                               files=[broken])
    assert found("remittances") == [("comment", comment.pk)]
    assert "Could not extract the text of" in caplog.text
