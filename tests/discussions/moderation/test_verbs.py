"""Moderation services: decisions, curation, flags, trust, questions and the audit trail they leave."""
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from discussions import moderation as mod
from discussions.models import Comment, CommentVersion, Discussion, Flag, ModeratorNote
from discussions.moderation.flags import auto_hide_reason
from discussions.permissions import initial_status_for
from hub.models import AuditEntry
from tests.factories import (make_comment, make_discussion, make_established_user, make_organisation, make_priority,
                             make_question, make_user, make_workplan, make_working_group)

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return make_user(name="Mona Moderator")


@pytest.fixture
def discussion(moderator):
    return make_discussion(moderators=[moderator])


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


def test_publishing_a_pending_comment_makes_it_public_logs_and_emails_the_author(
        discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_publish(actor=moderator, comment=comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.published_at and comment.moderated_by == moderator
    [entry] = entries("comment.publish")
    assert entry.before["status"] == "pending" and entry.after["status"] == "published"
    assert entry.after["waited_seconds"] >= 0
    assert [m.to for m in mail.outbox] == [[comment.author.email]]
    assert "published" in mail.outbox[0].subject


def test_publishing_a_reply_tells_the_following_parent_author(discussion, moderator, django_capture_on_commit_callbacks):
    from discussions.models import Subscription

    parent = make_comment(discussion=discussion)
    Subscription.objects.create(user=parent.author, discussion=discussion)
    reply = make_comment(parent=parent, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_publish(actor=moderator, comment=reply)
    assert parent.author.email in [m.to[0] for m in mail.outbox]


def test_declining_a_comment_emails_the_author_the_reason(discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_decline(actor=moderator, comment=comment, standard_reason="off_topic",
                            details="Please post this under the general comments.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.DECLINED
    assert "not about the questions" in comment.decline_reason
    assert "general comments" in comment.decline_reason
    [message] = mail.outbox
    assert message.to == [comment.author.email]
    assert "Please post this under the general comments." in message.body
    assert entries("comment.decline")[0].reason == comment.decline_reason


@pytest.mark.parametrize("standard,details", [("", ""), ("other", ""), ("nonsense", "x")])
def test_declining_needs_a_reason(discussion, moderator, standard, details):
    comment = make_comment(discussion=discussion, status="pending")
    with pytest.raises(ValidationError):
        mod.comment_decline(actor=moderator, comment=comment, standard_reason=standard, details=details)
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_bulk_publish_is_all_or_nothing(discussion, moderator):
    pending = [make_comment(discussion=discussion, status="pending") for _ in range(2)]
    withdrawn = make_comment(discussion=discussion, status="withdrawn")
    with pytest.raises(ValidationError):
        mod.comments_publish(actor=moderator, comments=[*pending, withdrawn])
    assert Comment.objects.filter(status="pending").count() == 2
    mod.comments_publish(actor=moderator, comments=pending)
    assert Comment.objects.filter(status="published").count() == 2


def test_bulk_decline_gives_every_author_the_reason(discussion, moderator, django_capture_on_commit_callbacks):
    pending = [make_comment(discussion=discussion, status="pending") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        mod.comments_decline(actor=moderator, comments=pending, standard_reason="duplicate")
    assert len(mail.outbox) == 3
    assert all("repeats a comment" in m.body for m in mail.outbox)


def test_a_moderator_of_another_discussion_is_refused_with_403(discussion):
    other = make_user()
    make_discussion(moderators=[other])
    comment = make_comment(discussion=discussion, status="published")
    with pytest.raises(PermissionDenied):
        mod.comment_hide(actor=other, comment=comment, reason="No.")


def test_a_pending_comment_is_invisible_to_others_so_they_get_404(discussion):
    comment = make_comment(discussion=discussion, status="pending")
    with pytest.raises(Http404):
        mod.comment_publish(actor=make_user(), comment=comment)


def test_a_site_moderator_moderates_every_discussion(discussion):
    comment = make_comment(discussion=discussion, status="pending")
    mod.comment_publish(actor=make_user(role="Moderators"), comment=comment)
    comment.refresh_from_db()
    assert comment.status == "published"


def test_a_moderator_edit_keeps_the_earlier_text_and_tells_the_author(
        discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, body="<p>Call Jane on +1 555 0100.</p>", body_text="Call Jane")
    with django_capture_on_commit_callbacks(execute=True):
        mod.comment_moderator_edit(actor=moderator, comment=comment, body="<p>Call Jane.</p><script>x()</script>",
                                   reason="Removed a phone number")
    comment.refresh_from_db()
    assert comment.body == "<p>Call Jane.</p>"
    assert comment.body_text == "Call Jane."
    assert comment.edit_count == 1 and comment.edited_at
    [version] = CommentVersion.objects.filter(comment=comment)
    assert version.body == "<p>Call Jane on +1 555 0100.</p>"
    assert version.by_moderator and version.reason == "Removed a phone number"
    assert version.edited_by_name == "Mona Moderator"
    [message] = mail.outbox
    assert "Removed a phone number" in message.body and "Call Jane." in message.body
    assert entries("comment.moderator_edit")[0].before["body"] == "<p>Call Jane on +1 555 0100.</p>"


def test_a_moderator_edit_needs_a_reason(discussion, moderator):
    comment = make_comment(discussion=discussion)
    with pytest.raises(ValidationError):
        mod.comment_moderator_edit(actor=moderator, comment=comment, body="<p>New</p>", reason=" ")


def test_retagging_uses_the_discussions_workplan_and_logs_the_codes(moderator):
    workplan = make_workplan()
    discussion = make_discussion(workplan=workplan, moderators=[moderator])
    np1, np2 = make_priority(workplan=workplan), make_priority(workplan=workplan)
    group = make_working_group(workplan=workplan)
    comment = make_comment(discussion=discussion, priorities=[np1])
    mod.comment_retag(actor=moderator, comment=comment, priorities=[np2], working_groups=[group])
    assert list(comment.priorities.all()) == [np2]
    [entry] = entries("comment.retag")
    assert entry.before["priorities"] == ["NP1"] and entry.after["priorities"] == ["NP2"]
    foreign = make_priority()
    with pytest.raises(ValidationError):
        mod.comment_retag(actor=moderator, comment=comment, priorities=[foreign], working_groups=[])


def test_hiding_keeps_the_reason_for_the_placeholder_and_unhiding_restores(discussion, moderator):
    comment = make_comment(discussion=discussion, highlighted=True)
    mod.comment_hide(actor=moderator, comment=comment, reason="Personal attack")
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason, comment.highlighted) == ("hidden", "Personal attack", False)
    with pytest.raises(ValidationError):
        mod.comment_hide(actor=moderator, comment=comment, reason="Again")
    mod.comment_unhide(actor=moderator, comment=comment)
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason) == ("published", "")
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["comment.hide", "comment.unhide"]


def test_hiding_needs_a_reason(discussion, moderator):
    with pytest.raises(ValidationError):
        mod.comment_hide(actor=moderator, comment=make_comment(discussion=discussion), reason="")


def test_only_published_comments_are_highlighted(discussion, moderator):
    comment = make_comment(discussion=discussion)
    mod.comment_highlight(actor=moderator, comment=comment)
    comment.refresh_from_db()
    assert comment.highlighted
    mod.comment_unhighlight(actor=moderator, comment=comment)
    comment.refresh_from_db()
    assert not comment.highlighted
    with pytest.raises(ValidationError):
        mod.comment_highlight(actor=moderator, comment=make_comment(discussion=discussion, status="pending"))


def test_notes_are_kept_with_the_moderators_name(discussion, moderator):
    comment = make_comment(discussion=discussion)
    note = mod.moderator_note_add(actor=moderator, comment=comment, body="Known spammer? Check the domain.")
    assert note.author_name == "Mona Moderator"
    assert ModeratorNote.objects.filter(comment=comment).count() == 1
    with pytest.raises(PermissionDenied):
        mod.moderator_note_add(actor=comment.author, comment=comment, body="Hi")


def test_a_locked_question_refuses_new_answers(discussion, moderator):
    from discussions.services import comment_post

    question = make_question(discussion=discussion)
    mod.question_lock(actor=moderator, question=question)
    question.refresh_from_db()
    assert question.locked
    with pytest.raises(PermissionDenied, match="locked"):
        comment_post(actor=make_user(), discussion=discussion, question=question, body="<p>Late answer</p>")
    mod.question_unlock(actor=moderator, question=question)
    question.refresh_from_db()
    assert not question.locked
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["question.lock", "question.unlock"]


def test_closing_and_reopening_a_discussion(discussion, moderator):
    mod.discussion_close(actor=moderator, discussion=discussion, reason="Consultation period over")
    discussion.refresh_from_db()
    assert not discussion.is_open
    with pytest.raises(ValidationError):
        mod.discussion_close(actor=moderator, discussion=discussion)
    discussion.closes_at = timezone.now() - timedelta(days=1)
    discussion.save()
    mod.discussion_reopen(actor=moderator, discussion=discussion)
    discussion.refresh_from_db()
    assert discussion.is_open and discussion.closes_at is None
    assert entries("discussion.close")[0].reason == "Consultation period over"


def test_questions_are_posted_last_edited_and_reordered(discussion, moderator):
    first = mod.question_post(actor=moderator, discussion=discussion, text="First?")
    second = mod.question_post(actor=moderator, discussion=discussion, text="Second?")
    assert first.order < second.order
    mod.question_edit(actor=moderator, question=first, text="First, reworded?")
    first.refresh_from_db()
    assert first.text == "First, reworded?"
    mod.question_move(actor=moderator, question=second, direction="up")
    assert list(discussion.questions.order_by("order").values_list("pk", flat=True)) == [second.pk, first.pk]
    with pytest.raises(ValidationError):
        mod.question_reorder(actor=moderator, discussion=discussion, question_ids=[first.pk])
    with pytest.raises(PermissionDenied):
        mod.question_post(actor=make_user(), discussion=discussion, text="Mine?")
    assert {"question.post", "question.edit", "question.reorder"} <= set(
        AuditEntry.objects.values_list("action", flat=True))


def test_any_signed_in_reader_reports_a_published_comment_once(discussion):
    comment = make_comment(discussion=discussion)
    reader = make_user()
    mod.comment_flag(actor=reader, comment=comment, reason="spam")
    with pytest.raises(ValidationError):
        mod.comment_flag(actor=reader, comment=comment, reason="spam")
    with pytest.raises(PermissionDenied):
        mod.comment_flag(actor=comment.author, comment=comment, reason="spam")
    with pytest.raises(ValidationError):
        mod.comment_flag(actor=make_user(), comment=comment, reason="other")
    assert Flag.objects.filter(comment=comment).count() == 1


def test_reports_hide_the_comment_at_the_discussions_threshold(moderator):
    discussion = make_discussion(moderators=[moderator], auto_hide_flags=2)
    comment = make_comment(discussion=discussion)
    mod.comment_flag(actor=make_established_user(), comment=comment, reason="offensive")
    comment.refresh_from_db()
    assert comment.status == "published"
    mod.comment_flag(actor=make_established_user(), comment=comment, reason="spam")
    comment.refresh_from_db()
    assert comment.status == "hidden" and comment.hidden_reason == auto_hide_reason()
    [auto] = entries("comment.auto_hide")
    assert auto.actor_name == "system"
    # The moderator keeps it: the reports are answered and the comment is public again.
    mod.comment_flags_dismiss(actor=moderator, comment=comment)
    comment.refresh_from_db()
    assert comment.status == "published"
    assert not Flag.objects.filter(comment=comment, resolved_at__isnull=True).exists()


def test_a_threshold_of_zero_never_hides(moderator):
    discussion = make_discussion(moderators=[moderator], auto_hide_flags=0)
    comment = make_comment(discussion=discussion)
    for _ in range(4):
        mod.comment_flag(actor=make_established_user(), comment=comment, reason="spam")
    comment.refresh_from_db()
    assert comment.status == "published"


def test_a_reader_without_a_complete_profile_cannot_report(discussion):
    comment = make_comment(discussion=discussion)
    with pytest.raises(PermissionDenied, match="Complete your profile"):
        mod.comment_flag(actor=make_user(complete=False), comment=comment, reason="spam")
    assert not Flag.objects.exists() and not entries("comment.flag")


def test_reports_beyond_the_rate_limit_are_refused_and_not_stored(discussion, settings):
    settings.HUB_FLAG_RATE_LIMIT = "2/h"
    reader = make_user()
    first, second, third = (make_comment(discussion=discussion) for _ in range(3))
    mod.comment_flag(actor=reader, comment=first, reason="spam")
    mod.comment_flag(actor=reader, comment=second, reason="spam")
    with pytest.raises(ValidationError, match="many reports in a short time") as refused:
        mod.comment_flag(actor=reader, comment=third, reason="spam")
    assert refused.value.code == "rate_limited"
    assert not Flag.objects.filter(comment=third).exists()
    # The allowance is the reader's own: someone else still reports.
    mod.comment_flag(actor=make_user(), comment=third, reason="spam")


def test_a_refused_report_does_not_use_up_the_allowance(discussion, settings):
    settings.HUB_FLAG_RATE_LIMIT = "1/h"
    reader = make_user()
    comment = make_comment(discussion=discussion)
    with pytest.raises(ValidationError):
        mod.comment_flag(actor=reader, comment=comment, reason="other")  # "other" needs details
    mod.comment_flag(actor=reader, comment=comment, reason="spam")
    assert Flag.objects.filter(reporter=reader).count() == 1


def test_three_fresh_accounts_reporting_do_not_hide_a_comment(moderator):
    discussion = make_discussion(moderators=[moderator], auto_hide_flags=3)
    comment = make_comment(discussion=discussion)
    for _ in range(3):
        mod.comment_flag(actor=make_user(), comment=comment, reason="offensive")
    comment.refresh_from_db()
    assert comment.status == "published"
    assert list(Flag.objects.filter(comment=comment).values_list("counts_toward_auto_hide", flat=True)) == [False] * 3
    assert not entries("comment.auto_hide")
    assert [e.after["counts_toward_auto_hide"] for e in entries("comment.flag")] == [False] * 3


def test_three_established_accounts_reporting_hide_a_comment(moderator):
    discussion = make_discussion(moderators=[moderator], auto_hide_flags=3)
    comment = make_comment(discussion=discussion)
    for _ in range(2):
        mod.comment_flag(actor=make_user(), comment=comment, reason="spam")  # fresh: recorded, not counted
    for number in range(1, 4):
        mod.comment_flag(actor=make_established_user(), comment=comment, reason="offensive")
        comment.refresh_from_db()
        assert comment.status == ("hidden" if number == 3 else "published")
    [auto] = entries("comment.auto_hide")
    assert auto.reason == "3 distinct reports from established accounts (threshold 3)."


@pytest.mark.parametrize("days_old, published_comment, counts", [
    (30, True, True),
    (30, False, False),  # an old account that has never had a comment published
    (3, True, False),  # a new account, even with a published comment
    (8, True, True),
])
def test_only_an_established_account_counts_toward_auto_hide(days_old, published_comment, counts):
    from discussions.permissions import counts_toward_auto_hide

    user = make_user(date_joined=timezone.now() - timedelta(days=days_old))
    if published_comment:
        make_comment(author=user)
    make_comment(author=user, status="pending")
    assert counts_toward_auto_hide(user) is counts


def test_the_age_of_an_established_account_is_a_setting(settings):
    from discussions.permissions import counts_toward_auto_hide

    user = make_established_user(days=3)
    assert not counts_toward_auto_hide(user)
    settings.HUB_FLAG_TRUSTED_AFTER_DAYS = 2
    assert counts_toward_auto_hide(user)


def test_hiding_a_reported_comment_answers_its_reports(discussion, moderator):
    comment = make_comment(discussion=discussion)
    mod.comment_flag(actor=make_user(), comment=comment, reason="spam")
    mod.comment_hide(actor=moderator, comment=comment, reason="Spam")
    assert Flag.objects.get(comment=comment).resolved_by == moderator


def test_initial_status_pre_moderates_by_default(discussion):
    assert initial_status_for(discussion, make_user()) == "pending"


def test_initial_status_trusts_verified_organisations_when_the_discussion_says_so():
    discussion = make_discussion(trust_verified_organisations=True)
    assert initial_status_for(discussion, make_user(organisation=make_organisation(verified=True))) == "published"
    assert initial_status_for(discussion, make_user(organisation=make_organisation(verified=False))) == "pending"


def test_initial_status_trusts_authors_with_enough_published_comments():
    discussion = make_discussion(trust_after_published=2)
    author = make_user(organisation=make_organisation(verified=False))
    make_comment(discussion=discussion, author=author)
    assert initial_status_for(discussion, author) == "pending"
    make_comment(author=author)
    assert initial_status_for(discussion, author) == "published"


def test_initial_status_under_post_moderation_and_for_moderators(moderator, discussion):
    assert initial_status_for(make_discussion(moderation=Discussion.Moderation.POST), make_user()) == "published"
    assert initial_status_for(discussion, moderator) == "published"
