"""Journeys through the finished comment form: a file through a preview, the same file chosen twice, the comment
replied to shown in full, and a long answer kept as a draft in the browser across a reload and an expired session."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from discussions.models import Attachment, Comment
from tests.browser.conftest import login
from tests.factories import (
    PASSWORD, make_comment, make_discussion, make_priority, make_question, make_user, make_workplan, minimal_pdf,
)

pytestmark = pytest.mark.django_db(transaction=True)

PAPER = {"name": "paper.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf("Our position paper")}
LONG_ANSWER = ("We welcome the draft workplan and its focus on regular pathways. " * 12).strip()


def drafts(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(Object.keys(localStorage)
        .filter(k => k.startsWith('hub-draft:')).map(k => [k, JSON.parse(localStorage.getItem(k))]))""")


def open_answer_form(page, question) -> None:
    page.goto(question.discussion.get_absolute_url())
    page.get_by_role("link", name="Answer this question").click()
    expect(page.locator(".rich-editor-area")).to_be_visible()


def editor(page):
    """The editor's text box, once editor.js has put it in place of the plain textarea (until then the textarea
    answers to the same name, and a fill could land on it just before it is hidden)."""
    page.locator("form.has-editor").first.wait_for()
    return page.get_by_role("textbox", name="Your comment")


def test_a_file_chosen_before_a_preview_stays_listed_as_attached_can_be_removed_and_is_posted(page):
    question = make_question()
    make_user(email="amina@example.org", name="Amina Odhiambo")
    login(page, "amina@example.org", PASSWORD)
    open_answer_form(page, question)
    editor(page).fill("Our answer; the full comments are attached.")
    page.get_by_label("Attach documents").set_input_files(files=[
        PAPER, {"name": "annex.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf("Annex")}])
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_text("Preview: this is how your comment will look")).to_be_visible()
    attached = page.get_by_role("list", name="Attached, posted with your comment:")
    expect(attached.get_by_role("listitem")).to_have_count(2)
    expect(attached).to_contain_text(re.compile(r"paper\.pdf \(PDF, [\d.,]+\s(bytes|KB)\)"))
    attached.get_by_role("button", name="Remove “annex.pdf”").click()
    expect(page.get_by_role("status").filter(has_text="“annex.pdf” is no longer attached.")).to_be_visible()
    expect(attached.get_by_role("listitem")).to_have_count(1)
    expect(editor(page)).to_contain_text("Our answer; the full comments are attached.")
    page.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    comment = Comment.objects.get()
    assert [a.original_name for a in Attachment.objects.filter(comment=comment)] == ["paper.pdf"]
    expect(page.locator(f"#comment-{comment.pk}").get_by_role("link", name="paper.pdf")).to_be_visible()


def test_choosing_the_same_file_twice_attaches_it_once_and_says_so(page):
    question = make_question()
    make_user(email="amina@example.org")
    login(page, "amina@example.org", PASSWORD)
    open_answer_form(page, question)
    editor(page).fill("Answer with a paper.")
    files = page.get_by_label("Attach documents")
    files.set_input_files(files=[PAPER])
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("button", name="Remove “paper.pdf”")).to_be_visible()
    files.set_input_files(files=[PAPER])  # the same file again
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("status").filter(has_text="“paper.pdf” is already attached.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove “paper.pdf”")).to_have_count(1)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["paper.pdf"]


def test_the_same_file_chosen_again_on_the_edit_form_is_not_attached_twice(page):
    author = make_user(email="amina@example.org")
    comment = make_comment(author=author, status="pending")
    login(page, "amina@example.org", PASSWORD)
    page.goto(reverse("discussions:comment-edit", args=[comment.pk]))
    files = page.get_by_label("Attach documents")
    files.set_input_files(files=[PAPER])
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved")).to_be_visible()
    page.goto(reverse("discussions:comment-edit", args=[comment.pk]))
    page.get_by_label("Attach documents").set_input_files(files=[PAPER])
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("status").filter(has_text="“paper.pdf” is already attached.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Remove “paper.pdf”"))).to_have_count(0)
    assert Attachment.objects.filter(comment=comment).count() == 1


def test_the_reply_form_shows_the_comment_replied_to_in_full_with_its_author_and_date(page):
    question = make_question()
    paragraphs = [f"Point {i}: the network should fund participatory indicators." for i in range(1, 16)]
    parent = make_comment(question=question, author=make_user(name="Richard Francis Ellington-Moreau"),
                          body="".join(f"<p>{p}</p>" for p in paragraphs))
    make_user(email="amina@example.org")
    login(page, "amina@example.org", PASSWORD)
    page.goto(question.discussion.get_absolute_url())
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()

    replied = page.get_by_role("region", name="The comment you reply to")
    expect(replied).to_be_visible()
    expect(replied).to_contain_text("Richard Francis Ellington-Moreau")
    expect(replied.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    for p in paragraphs:
        expect(replied.get_by_text(p)).to_be_visible()  # shown, not collapsed


def test_a_long_answer_survives_a_reload_as_a_draft_is_posted_and_the_draft_is_gone(page):
    question = make_question()
    make_user(email="amina@example.org")
    login(page, "amina@example.org", PASSWORD)
    open_answer_form(page, question)
    editor(page).click()
    page.keyboard.type(LONG_ANSWER[:200])
    page.keyboard.press("Enter")
    page.keyboard.type("Second paragraph.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('hub-draft:'))")

    page.reload()
    notice = page.get_by_role("status").filter(has_text="We restored your unsent draft from")
    expect(notice).to_be_visible()
    expect(editor(page)).to_contain_text(LONG_ANSWER[:200])
    expect(editor(page)).to_contain_text("Second paragraph.")
    page.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    assert "Second paragraph." in Comment.objects.get().body
    assert drafts(page) == {}
    open_answer_form(page, question)
    expect(page.get_by_text("We restored your unsent draft")).to_have_count(0)
    expect(editor(page)).to_have_text("")


def test_a_draft_with_ticked_priorities_survives_an_expired_session_and_signing_in_again(page):
    workplan = make_workplan()
    make_priority(workplan=workplan, kind="new", number=1, title="Indicators to review progress")
    make_priority(workplan=workplan, kind="ongoing", number=3, title="Alternatives to immigration detention")
    question = make_question(discussion=make_discussion(workplan=workplan))
    make_user(email="amina@example.org")
    login(page, "amina@example.org", PASSWORD)
    open_answer_form(page, question)
    editor(page).click()
    page.keyboard.type(LONG_ANSWER)
    page.get_by_label(re.compile("Alternatives to immigration detention")).check()
    page.wait_for_function("""() => Object.keys(localStorage).some(k => k.startsWith('hub-draft:')
        && JSON.parse(localStorage.getItem(k)).priorities.length === 1)""")
    form_url = page.url.split("#")[0]  # the sign-in brings back the address; a fragment never reaches the server

    page.context.clear_cookies()  # the session is gone, as when it expires
    page.reload()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill("amina@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    expect(page).to_have_url(form_url)

    expect(page.get_by_role("status").filter(has_text="We restored your unsent draft from")).to_be_visible()
    expect(editor(page)).to_contain_text(LONG_ANSWER)
    expect(page.get_by_label(re.compile("Alternatives to immigration detention"))).to_be_checked()
    expect(page.get_by_label(re.compile("Indicators to review progress"))).not_to_be_checked()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    comment = Comment.objects.get()
    assert [p.title for p in comment.priorities.all()] == ["Alternatives to immigration detention"]
    assert drafts(page) == {}


def test_a_restored_draft_can_be_discarded_and_a_preview_is_never_overwritten(page):
    question = make_question()
    make_user(email="amina@example.org")
    login(page, "amina@example.org", PASSWORD)
    open_answer_form(page, question)
    editor(page).fill("A first attempt I will throw away.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('hub-draft:'))")
    page.reload()
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.get_by_role("status").filter(has_text="The draft is discarded.")).to_be_visible()
    expect(editor(page)).to_have_text("")
    assert drafts(page) == {}

    editor(page).fill("What I preview.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Preview: this is how your comment will look")).to_be_visible()
    expect(page.get_by_text("We restored your unsent draft")).to_have_count(0)
    expect(editor(page)).to_contain_text("What I preview.")


def test_signing_out_leaves_no_draft_in_the_browser(page):
    question = make_question()
    make_user(email="amina@example.org", name="Amina Odhiambo")
    login(page, "amina@example.org", PASSWORD)
    open_answer_form(page, question)
    editor(page).fill("Something personal, not sent yet.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('hub-draft:'))")
    page.get_by_role("button", name="Amina Odhiambo").click()
    page.get_by_role("button", name=re.compile("Log out|Sign out")).click()
    expect(page.get_by_text(re.compile("signed out", re.I))).to_be_visible()
    assert drafts(page) == {}

    # Signing out elsewhere than the menu (allauth's own sign-out page): the page after it says to forget drafts.
    login(page, "amina@example.org", PASSWORD)
    open_answer_form(page, question)
    editor(page).fill("Another unsent text.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('hub-draft:'))")
    page.goto("/accounts/logout/")
    page.locator("main").get_by_role("button", name=re.compile("Sign out|Log out", re.I)).click()
    expect(page.get_by_text(re.compile("signed out", re.I))).to_be_visible()
    assert drafts(page) == {}


def test_another_person_signing_in_on_the_same_browser_never_gets_someone_elses_draft(page):
    question = make_question()
    make_user(email="amina@example.org")
    richard = make_user(email="richard@example.org")
    login(page, "amina@example.org", PASSWORD)
    open_answer_form(page, question)
    editor(page).fill("Amina's unsent answer.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('hub-draft:'))")
    page.context.clear_cookies()  # her session ends without signing out
    login(page, "richard@example.org", PASSWORD)
    assert list(drafts(page)) == []  # the first page he sees forgets drafts that are not his
    open_answer_form(page, question)
    expect(page.get_by_text("We restored your unsent draft")).to_have_count(0)
    expect(editor(page)).to_have_text("")
    editor(page).fill("Richard's answer.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('hub-draft:'))")
    assert [k.split(":")[1] for k in drafts(page)] == [str(richard.pk)]


def test_the_reply_form_with_a_file_and_a_restored_draft_has_no_serious_accessibility_violations(page):
    from tests.browser.test_site import serious_violations

    parent = make_comment(question=make_question())
    make_user(email="amina@example.org")
    login(page, "amina@example.org", PASSWORD)
    page.goto(parent.discussion.get_absolute_url())
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()
    expect(page.get_by_role("heading", name=re.compile("^Reply to"))).to_be_visible()
    editor(page).fill("A reply I will come back to.")
    page.get_by_label("Attach documents").set_input_files(files=[PAPER])
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("button", name="Remove “paper.pdf”")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(page.url.split("#")[0])  # opened afresh (not a jump within the page): the draft comes back
    expect(page.get_by_role("button", name="Discard the draft")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="We restored your unsent draft")).to_contain_text(
        "Files are not kept with a draft: choose them again (paper.pdf).")
    assert serious_violations(page) == []


def test_an_unsaved_edit_comes_back_over_the_comment_can_be_discarded_to_the_saved_text_and_goes_once_saved(page):
    author = make_user(email="amina@example.org")
    comment = make_comment(author=author, status="pending", body="<p>Our first answer.</p>",
                           body_text="Our first answer.")
    login(page, "amina@example.org", PASSWORD)
    url = reverse("discussions:comment-edit", args=[comment.pk])
    page.goto(url)
    expect(editor(page)).to_have_text("Our first answer.")
    editor(page).click()
    page.keyboard.press("End")
    page.keyboard.type(" And a second thought.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.endsWith(':edit-%d'))" % comment.pk)

    page.goto(url)
    expect(page.get_by_role("status").filter(has_text="We restored your unsent draft from")).to_be_visible()
    expect(editor(page)).to_have_text("Our first answer. And a second thought.")
    page.get_by_role("button", name="Discard the draft").click()
    expect(editor(page)).to_have_text("Our first answer.")
    assert drafts(page) == {}

    page.keyboard.press("End")
    page.keyboard.type(" Revised.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.endsWith(':edit-%d'))" % comment.pk)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved")).to_be_visible()
    comment.refresh_from_db()
    assert "Our first answer. Revised." in comment.body_text
    assert drafts(page) == {}
    page.goto(url)
    expect(page.get_by_text("We restored your unsent draft")).to_have_count(0)
