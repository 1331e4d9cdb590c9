"""Journeys through a consultation: answering with a pasted list and a PDF, replying, reading as a visitor, and a
discussion that closes while someone writes."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from discussions.models import Attachment, Comment, Discussion
from tests.browser.conftest import login
from tests.factories import (
    PASSWORD, make_comment, make_discussion, make_organisation, make_question, make_user, minimal_pdf,
)

pytestmark = pytest.mark.django_db(transaction=True)

WORD_LIST = (
    "<html><head><style>p.MsoNormal{margin:0}</style></head><body>"
    "<p class=MsoNormal style='margin-bottom:6pt'>Our two priorities:</p>"
    "<p class=MsoListParagraphCxSpFirst style='text-indent:-18pt;mso-list:l0 level1 lfo1'>"
    "<![if !supportLists]><span style='mso-list:Ignore'>1.<span style='font:7pt \"Times New Roman\"'>&nbsp; </span>"
    "</span><![endif]>Participatory indicators for the review</p>"
    "<p class=MsoListParagraphCxSpLast style='text-indent:-18pt;mso-list:l0 level1 lfo1'>"
    "<![if !supportLists]><span style='mso-list:Ignore'>2.<span style='font:7pt \"Times New Roman\"'>&nbsp; </span>"
    "</span><![endif]>Funding for <b>interpretation</b></p>"
    "<p class=MsoNormal>Full comments attached.</p><script>window.pwned = 1</script></body></html>"
)

PASTE = """(html) => {
  const area = document.querySelector('.rich-editor-area');
  area.focus();
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', 'fallback text');
  area.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def test_a_stakeholder_answers_with_a_pasted_list_and_a_pdf_sees_it_pending_and_a_reply_threads_under_it(page):
    discussion = make_discussion(title="Draft Network Workplan 2022-2024")
    question = make_question(discussion=discussion, text="Which priority areas are of particular interest to you?")
    make_user(email="amina@example.org", name="Amina Odhiambo-Wanjiru",
              organisation=make_organisation(name="Migrant Workers Solidarity Forum"))
    make_user(email="richard@example.org", name="Richard Francis Ellington-Moreau")

    login(page, "amina@example.org", PASSWORD)
    page.goto(discussion.get_absolute_url())
    page.get_by_role("link", name="Answer this question").click()
    expect(page.locator(".rich-editor-area")).to_be_visible()
    page.evaluate(PASTE, WORD_LIST)
    page.set_input_files("#id_files", files=[{"name": "Our full comments.pdf", "mimeType": "application/pdf",
                                              "buffer": minimal_pdf("Our full comments")}])
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Preview: this is how your comment will look")).to_be_visible()
    expect(page.locator(".comment-preview ol li")).to_have_count(2)
    expect(page.get_by_role("button", name="Remove “Our full comments.pdf”")).to_be_visible()  # kept across the preview
    page.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    comment = Comment.objects.get(author__email="amina@example.org")
    assert comment.status == Comment.Status.PENDING
    assert "<ol><li>Participatory indicators for the review</li><li>Funding for <strong>interpretation</strong>" \
           in comment.body
    assert "script" not in comment.body and "pwned" not in comment.body
    mine = page.locator(f"#comment-{comment.pk}")
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine.locator(".comment-body ol li")).to_have_count(2)
    expect(mine.get_by_role("link", name="Our full comments.pdf")).to_be_visible()
    assert Attachment.objects.get(comment=comment).content_type == "application/pdf"

    # A moderator publishes it; another stakeholder replies, and the reply sits under it, indented.
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PUBLISHED, published_at=timezone.now())
    page.context.clear_cookies()
    login(page, "richard@example.org", PASSWORD)
    page.goto(discussion.get_absolute_url())
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Reply").click()
    expect(page.get_by_role("heading", name="Reply to Amina Odhiambo-Wanjiru")).to_be_visible()
    page.locator(".rich-editor-area").click()
    page.keyboard.type("We agree on participatory indicators.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    reply = Comment.objects.get(parent=comment)
    item = page.locator(f"#comment-{reply.pk}")
    expect(item).to_have_class(re.compile(r"\bindent-1\b"))
    expect(item).to_contain_text("In reply to Amina Odhiambo-Wanjiru")
    order = page.locator(".thread-item").evaluate_all("items => items.map(i => i.id)")
    assert order.index(f"comment-{reply.pk}") == order.index(f"comment-{comment.pk}") + 1


def test_a_visitor_sees_only_published_comments_and_is_invited_to_log_in(page):
    question = make_question(text="Does the workplan capture a comprehensive plan?")
    make_comment(question=question, author=make_user(name="Richard Francis Ellington-Moreau"),
                 body="<p>Published and visible.</p>")
    make_comment(question=question, status="pending", body="<p>Still waiting.</p>")
    make_comment(question=question, status="declined", body="<p>Declined text.</p>")
    page.goto(question.discussion.get_absolute_url())
    expect(page.get_by_text("Published and visible.")).to_be_visible()
    expect(page.get_by_text("Richard Francis Ellington-Moreau")).to_be_visible()
    expect(page.get_by_text("Still waiting.")).to_have_count(0)
    expect(page.get_by_text("Declined text.")).to_have_count(0)
    expect(page.locator(".thread-item")).to_have_count(1)
    expect(page.locator(".discussion-participation").get_by_role("link", name="Sign in to post a comment")).to_be_visible()
    expect(page.get_by_role("link", name="Reply")).to_have_count(0)


def test_a_discussion_that_closes_while_someone_writes_refuses_the_post_with_a_message_and_keeps_the_text(page):
    discussion = make_discussion()
    make_question(discussion=discussion)
    make_user(email="amina@example.org")
    login(page, "amina@example.org", PASSWORD)
    page.goto(discussion.get_absolute_url())
    page.get_by_role("link", name="Answer this question").click()
    page.locator(".rich-editor-area").click()
    page.keyboard.type("A careful answer written over an hour.")
    Discussion.objects.filter(pk=discussion.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_contain_text("This discussion is closed")
    expect(page.locator(".rich-editor-area")).to_contain_text("A careful answer written over an hour.")
    assert not Comment.objects.exists()

    page.goto(discussion.get_absolute_url())
    expect(page.get_by_text("This discussion is closed: it no longer accepts comments.")).to_be_visible()
    expect(page.get_by_role("link", name="Answer this question")).to_have_count(0)
