"""Moderators at work in a real browser: publish, decline with a reason, edit with history, hide, highlight,
lock a question, and readers' reports hiding a comment at the threshold."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from discussions.models import Comment, Flag
from tests.browser.conftest import login
from tests.factories import (PASSWORD, make_comment, make_discussion, make_established_user, make_question,
                             make_user)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene():
    moderator = make_user(email="sofia@example.org", name="Sofia Marquez")
    author = make_user(email="amina@example.org", name="Amina Odhiambo-Wanjiru")
    discussion = make_discussion(title="Draft Network Workplan 2022-2024", moderators=[moderator])
    question = make_question(discussion=discussion, text="Which priority areas interest your entity?")
    return moderator, author, discussion, question


def sign_in(page, email):
    page.context.clear_cookies()
    login(page, email, PASSWORD)


def test_a_moderator_publishes_from_the_queue(page, scene):
    moderator, author, discussion, question = scene
    make_comment(discussion=discussion, question=question, author=author, status="pending",
                 body="<p>Ongoing Priority 3 matters most to us.</p>", body_text="Ongoing Priority 3 matters most to us.")
    sign_in(page, moderator.email)
    page.goto("/discussions/moderation/")
    expect(page.locator(".queue-counts")).to_contain_text("1 comment awaits review")
    item = page.locator(".queue-item", has_text="Amina Odhiambo-Wanjiru")
    expect(item).to_contain_text("Ongoing Priority 3 matters most to us.")
    expect(item).to_contain_text("Which priority areas interest your entity?")
    item.get_by_role("button", name=re.compile("^Publish")).click()
    expect(page.get_by_text("The comment is published.")).to_be_visible()
    expect(page.get_by_text("Nothing waits for review.")).to_be_visible()
    assert any("published" in m.subject and m.to == [author.email] for m in mail.outbox)
    page.goto(discussion.get_absolute_url())
    expect(page.get_by_text("Ongoing Priority 3 matters most to us.")).to_be_visible()


def test_a_moderator_declines_with_a_reason_the_author_receives(page, scene):
    moderator, author, discussion, question = scene
    make_comment(discussion=discussion, question=question, author=author, status="pending",
                 body="<p>Visit my shop.</p>", body_text="Visit my shop.")
    sign_in(page, moderator.email)
    page.goto("/discussions/moderation/")
    item = page.locator(".queue-item", has_text="Visit my shop.")
    item.get_by_label("Reason").select_option("promotion")
    item.get_by_label("In your own words").fill("Links to shops are not accepted here.")
    item.get_by_role("button", name=re.compile("^Decline")).click()
    expect(page.get_by_text("The comment is declined and its author is told why.")).to_be_visible()
    [message] = [m for m in mail.outbox if m.to == [author.email]]
    assert "Links to shops are not accepted here." in message.body
    assert "advertises a product" in message.body
    # The author sees it declined, with the reason, on the discussion page.
    sign_in(page, author.email)
    page.goto(discussion.get_absolute_url())
    expect(page.get_by_text(re.compile("Links to shops are not accepted here."))).to_be_visible()


def test_a_moderator_edits_a_comment_and_the_history_keeps_the_earlier_text(page, scene):
    moderator, author, discussion, question = scene
    comment = make_comment(discussion=discussion, question=question, author=author,
                           body="<p>Call me on +41 22 555 0100.</p>", body_text="Call me on +41 22 555 0100.")
    sign_in(page, moderator.email)
    page.goto(f"/discussions/moderation/comments/{comment.pk}/")
    page.get_by_role("link", name="Edit the text").click()
    # The same editor as the author's: a toolbar and a text box, no HTML to type.
    expect(page.get_by_role("toolbar")).to_be_visible()
    editor = page.get_by_role("textbox", name="Text of the comment")
    expect(editor).to_contain_text("Call me on +41 22 555 0100.")
    editor.fill("Call me (number removed by the moderator).")
    page.get_by_label("Reason for the edit").fill("Personal phone number removed")
    page.get_by_role("button", name="Save the edit").click()
    expect(page.get_by_text("The comment is edited")).to_be_visible()
    page.get_by_role("link", name=re.compile("Edit history")).click()
    expect(page.locator(".version-current")).to_contain_text("number removed by the moderator")
    expect(page.get_by_text("Call me on +41 22 555 0100.")).to_be_visible()
    expect(page.get_by_text("Personal phone number removed")).to_be_visible()
    assert any("edited your comment" in m.subject and m.to == [author.email] for m in mail.outbox)
    page.goto(discussion.get_absolute_url())
    expect(page.get_by_text("Call me (number removed by the moderator).")).to_be_visible()
    assert Comment.objects.get(pk=comment.pk).body == "<p>Call me (number removed by the moderator).</p>"


def test_a_refused_decline_marks_the_card_of_that_comment(page, scene):
    moderator, author, discussion, question = scene
    make_comment(discussion=discussion, question=question, status="pending",
                 body="<p>The first answer.</p>", body_text="The first answer.")
    second = make_comment(discussion=discussion, question=question, author=author, status="pending",
                          body="<p>The second answer.</p>", body_text="The second answer.")
    sign_in(page, moderator.email)
    page.goto("/discussions/moderation/")
    page.locator(".queue-item", has_text="The second answer.").get_by_role("button", name=re.compile("^Decline")).click()
    expect(page.get_by_text(f"Comment #{second.pk} by Amina Odhiambo-Wanjiru was not declined")).to_be_visible()
    card = page.locator(".queue-item", has_text="The second answer.")
    expect(card.get_by_role("alert")).to_contain_text("was not declined")
    expect(card.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".queue-item", has_text="The first answer.").get_by_role("alert")).to_have_count(0)


def test_bulk_decisions_and_closing_ask_for_confirmation(page, scene):
    moderator, author, discussion, question = scene
    for text in ("Answer one.", "Answer two."):
        make_comment(discussion=discussion, question=question, author=author, status="pending",
                     body=f"<p>{text}</p>", body_text=text)
    sign_in(page, moderator.email)
    page.goto("/discussions/moderation/")
    for text in ("Answer one.", "Answer two."):
        page.locator(".queue-item", has_text=text).get_by_role("checkbox").check()
    page.get_by_role("button", name="Publish selected").click()
    expect(page.get_by_role("heading", name="Publish 2 comments?")).to_be_visible()
    assert Comment.objects.filter(status="pending").count() == 2
    page.get_by_role("button", name="Yes, publish 2 comments").click()
    expect(page.get_by_text("2 comment(s) published.")).to_be_visible()
    assert Comment.objects.filter(status="published").count() == 2

    page.goto(f"/discussions/moderation/discussions/{discussion.slug}/")
    page.get_by_role("button", name="Close the discussion").click()
    expect(page.get_by_role("heading", name=re.compile("^Close"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Cancel")).click()
    discussion.refresh_from_db()
    assert discussion.status == "open"
    page.get_by_role("button", name="Close the discussion").click()
    page.get_by_role("button", name="Yes, close the discussion").click()
    expect(page.get_by_text("The discussion is closed to new comments.")).to_be_visible()


def test_the_audit_log_reads_as_sentences_and_its_filters_do_not_overlap(page, scene):
    moderator, author, discussion, question = scene
    comment = make_comment(discussion=discussion, question=question, author=author, body="<p>Rude words.</p>",
                           body_text="Rude words.")
    sign_in(page, moderator.email)
    page.goto(f"/discussions/moderation/comments/{comment.pk}/")
    page.get_by_label("Reason (shown to readers").fill("Insults another participant")
    page.get_by_role("button", name="Hide", exact=True).click()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/discussions/moderation/audit/")
    expect(page.get_by_text(f"Sofia Marquez hid comment #{comment.pk}: Insults another participant")).to_be_visible()
    boxes = page.locator(".audit-filters > div").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
            assert not overlap, (a, b)


def test_a_hidden_comment_leaves_a_placeholder_with_the_reason(page, scene):
    moderator, author, discussion, question = scene
    comment = make_comment(discussion=discussion, question=question, author=author, body="<p>Rude words.</p>",
                           body_text="Rude words.")
    make_comment(parent=comment, body="<p>I disagree with the above.</p>", body_text="I disagree with the above.")
    sign_in(page, moderator.email)
    page.goto(f"/discussions/moderation/comments/{comment.pk}/")
    page.get_by_label("Reason (shown to readers").fill("Insults another participant")
    page.get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_text("The comment is hidden")).to_be_visible()
    page.context.clear_cookies()
    page.goto(discussion.get_absolute_url())
    expect(page.get_by_text("Hidden by the moderator: Insults another participant")).to_be_visible()
    expect(page.get_by_text("Rude words.")).to_have_count(0)
    expect(page.get_by_text("I disagree with the above.")).to_be_visible()


def test_a_highlighted_comment_is_labelled_and_shown_first(page, scene):
    moderator, author, discussion, question = scene
    make_comment(discussion=discussion, question=question, body="<p>An early answer.</p>", body_text="An early answer.")
    official = make_comment(discussion=discussion, question=question, author=author,
                            body="<p>The official answer.</p>", body_text="The official answer.")
    sign_in(page, moderator.email)
    page.goto(f"/discussions/moderation/comments/{official.pk}/")
    page.get_by_role("button", name="Highlight", exact=True).click()
    expect(page.get_by_text("The comment is highlighted.")).to_be_visible()
    page.goto(discussion.get_absolute_url())
    first = page.locator(f"#question-{question.pk} .thread > li").first
    expect(first).to_contain_text("Highlighted by the moderator")
    expect(first).to_contain_text("The official answer.")


def test_a_locked_question_refuses_new_answers(page, scene):
    moderator, author, discussion, question = scene
    sign_in(page, moderator.email)
    page.goto(f"/discussions/moderation/discussions/{discussion.slug}/")
    page.get_by_role("button", name=re.compile("^Lock")).click()
    expect(page.get_by_text("The question is locked")).to_be_visible()
    sign_in(page, author.email)
    page.goto(discussion.get_absolute_url())
    section = page.locator(f"#question-{question.pk}")
    expect(section).to_contain_text("Locked: no new answers")
    expect(section.get_by_role("link", name="Answer this question")).to_have_count(0)
    response = page.goto(f"{discussion.get_absolute_url()}post/?question={question.pk}")
    assert response.status == 403
    expect(page.get_by_text("This question is locked")).to_be_visible()


def test_reports_hide_a_comment_at_the_threshold_until_a_moderator_decides(page, scene):
    moderator, author, discussion, question = scene
    discussion.auto_hide_flags = 2
    discussion.save()
    comment = make_comment(discussion=discussion, question=question, author=author,
                           body="<p>Cheap flights here.</p>", body_text="Cheap flights here.")
    # Only established accounts (a week old, with a published comment) hide a comment by reporting it.
    readers = [make_established_user(email=f"reader{i}@example.org") for i in range(2)]
    for number, reader in enumerate(readers, start=1):
        sign_in(page, reader.email)
        page.goto(discussion.get_absolute_url())
        page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Report").click()
        page.get_by_label("Spam or advertising").check()
        page.get_by_role("button", name="Send the report").click()
        expect(page.get_by_text("Thank you. The moderators will look at your report.")).to_be_visible()
        comment.refresh_from_db()
        assert comment.status == ("published" if number == 1 else "hidden")
    expect(page.get_by_text(re.compile("Hidden by the moderator: Reported by several readers"))).to_be_visible()
    # The moderator sees it in the queue with both reports and keeps it published.
    sign_in(page, moderator.email)
    page.goto("/discussions/moderation/?flagged=on")
    item = page.locator(".queue-item", has_text="Cheap flights here.")
    expect(item).to_contain_text("Reported 2 times")
    item.get_by_role("button", name=re.compile("^Keep published")).click()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert not Flag.objects.filter(comment=comment, resolved_at__isnull=True).exists()
