"""Keyboard only: sign in, answer a question with a numbered list made with the editor's toolbar, reply to a
comment, approve the reply as a moderator, start an export as the secretariat. Nothing is clicked: every step is
`keyboard.press` or `keyboard.type` (the address bar aside, `goto`); the page is only read to know where focus is.

The editor's toolbar is one Tab stop (the ARIA toolbar pattern): from the question's "Answer this question" link the
text box is a few Tabs away, and the arrow keys, Home and End move between the toolbar's buttons.
"""
from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from discussions.models import Comment
from hub.roles import SECRETARIAT
from tests.factories import PASSWORD, make_comment, make_discussion, make_question, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# What has focus, as assistive technology would name it (enough of the accessible-name rules for our pages).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {role: "", name: "", inside: []};
  const byIds = (ids) => ids.split(/\\s+/).map((id) => document.getElementById(id)).filter(Boolean)
    .map((n) => n.textContent).join(" ");
  let name = el.getAttribute("aria-label")
    || (el.getAttribute("aria-labelledby") && byIds(el.getAttribute("aria-labelledby")))
    || (el.labels && el.labels.length && Array.from(el.labels).map((l) => l.textContent).join(" "))
    || (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) ? "" : el.textContent) || "";
  const roles = {A: "link", BUTTON: "button", SELECT: "combobox", TEXTAREA: "textbox", SUMMARY: "button"};
  let role = el.getAttribute("role") || roles[el.tagName] || "";
  if (el.tagName === "INPUT") role = {checkbox: "checkbox", radio: "radio", submit: "button", file: "file"}[el.type] || "textbox";
  const inside = [];
  for (let n = el.parentElement; n; n = n.parentElement) {
    if (n.id) inside.push(n.id);
    if (n.getAttribute("role") === "toolbar") inside.push("toolbar");
  }
  return {role, name: name.replace(/\\s+/g, " ").trim(), inside};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, role: str, name: str, *, inside: str | None = None, limit: int = 80) -> int:
    """Press Tab until the element with this role and (start of its) name has focus; return how many presses."""
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append(f"{now['role']}:{now['name'][:40]}")
        if now["role"] == role and now["name"].startswith(name) and (inside is None or inside in now["inside"]):
            return presses
    raise AssertionError(f"{role} {name!r} not reached in {limit} Tabs; focus went through {seen}")


def sign_in_with_the_keyboard(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/")
    tab_to(page, "link", "Sign in to post a comment")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "textbox", "Email")
    page.keyboard.type(email)
    tab_to(page, "textbox", "Password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url, "the sign-in form was refused"
    expect(page.locator("#user-menu")).to_be_visible()


def test_a_whole_consultation_with_the_keyboard_alone(page, tmp_path):
    moderator = make_user(email="sofia@example.org", name="Sofia Marquez")
    make_user(email="amina@example.org", name="Amina Odhiambo-Wanjiru")
    make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT)
    discussion = make_discussion(title="Draft Network Workplan 2022-2024", moderators=[moderator])
    question = make_question(discussion=discussion, text="Which priority areas interest your entity?")
    richard = make_user(email="richard@example.org", name="Richard Francis Ellington-Moreau")
    earlier = make_comment(discussion=discussion, question=question, author=richard,
                           body="<p>Ongoing Priority 3 first.</p>", body_text="Ongoing Priority 3 first.")

    # A stakeholder signs in and answers the question with a numbered list.
    sign_in_with_the_keyboard(page, "amina@example.org")
    page.goto(discussion.get_absolute_url())
    tab_to(page, "link", "Answer this question")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Answer the question")).to_be_visible()
    # The toolbar is one Tab stop on the way to the text box.
    presses = tab_to(page, "textbox", "Your comment", limit=10)
    assert presses <= 3, f"{presses} Tabs from the Answer link to the text box"
    page.keyboard.press("Shift+Tab")
    assert focused(page) == {"role": "button", "name": "Bold", "inside": focused(page)["inside"]}
    assert "toolbar" in focused(page)["inside"]
    page.keyboard.press("End")
    assert focused(page)["name"] == "Paragraph"
    page.keyboard.press("ArrowRight")  # wraps round to the first
    assert focused(page)["name"] == "Bold"
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert focused(page)["name"] == "Numbered list"
    page.keyboard.press("ArrowLeft")
    assert focused(page)["name"] == "Bulleted list"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # starts the list and puts the cursor in the text box
    assert focused(page)["role"] == "textbox"
    page.keyboard.type("Participatory indicators for the review")
    page.keyboard.press("Enter")
    page.keyboard.type("Funding for interpretation")
    # Leaving the toolbar and coming back lands on the button used last (roving tabindex).
    page.keyboard.press("Shift+Tab")
    assert focused(page)["name"] == "Numbered list"
    tab_to(page, "button", "Post comment")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    answer = Comment.objects.get(author__email="amina@example.org")
    assert "<ol><li>Participatory indicators for the review</li><li>Funding for interpretation</li></ol>" in answer.body

    # She replies to Richard's comment.
    page.goto(discussion.get_absolute_url())
    tab_to(page, "link", "Reply", inside=f"comment-{earlier.pk}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Reply to Richard Francis Ellington-Moreau")).to_be_visible()
    assert tab_to(page, "textbox", "Your comment", limit=10) <= 3
    page.keyboard.type("We agree, and would add regular pathways.")
    tab_to(page, "button", "Post comment")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    reply = Comment.objects.get(parent=earlier)
    assert reply.status == Comment.Status.PENDING

    # The moderator approves the reply from the review queue.
    sign_in_with_the_keyboard(page, "sofia@example.org")
    page.goto("/discussions/moderation/")
    tab_to(page, "button", f"Publish #{reply.pk}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("The comment is published.")).to_be_visible()
    reply.refresh_from_db()
    assert reply.status == Comment.Status.PUBLISHED

    # The secretariat starts an export of the feedback.
    sign_in_with_the_keyboard(page, "jonas@example.org")
    page.goto("/discussions/secretariat/export/")
    tab_to(page, "button", "CSV (UTF-8)")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # starts the export job; its page shows the progress, then the download
    expect(page.get_by_role("heading", name="Feedback export")).to_be_visible()
    tab_to(page, "link", "Download feedback-")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    path = tmp_path / "feedback.csv"
    download_info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert reply.pk in {int(r["Comment id"]) for r in rows}
