"""Arabic, right to left, in a real browser: the discussion page, the comment form and the moderation queue are
laid out from the right (replies indented on the right), nothing overflows sideways and the header's items do
not overlap. Screenshots go to bench/out/screens/ (not committed) for a person to look at."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD, make_comment, make_discussion, make_question, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = Path(settings.BASE_DIR) / "bench" / "out" / "screens"


@pytest.fixture
def scene():
    moderator = make_user(email="sofia@example.org", name="صوفيا ماركيز")
    author = make_user(email="amina@example.org", name="أمينة أوديامبو")
    discussion = make_discussion(title="مسودة خطة عمل الشبكة 2022-2024", moderators=[moderator])
    question = make_question(discussion=discussion, text="ما هي مجالات الأولوية التي تهم كيانكم؟")
    answer = make_comment(discussion=discussion, question=question, author=author, language="ar",
                          body="<p>نحن ندعم الأولوية الجديدة 5 ونقترح تركيزاً أقوى على العمال المهاجرين.</p>",
                          body_text="نحن ندعم الأولوية الجديدة 5.")
    reply = make_comment(parent=answer, author=moderator, language="ar", body="<p>شكراً على هذه الملاحظة.</p>",
                         body_text="شكراً على هذه الملاحظة.")
    make_comment(discussion=discussion, question=question, author=author, status="pending", language="en",
                 body="<p>A comment in English, awaiting review.</p>", body_text="A comment in English.")
    return moderator, discussion, question, answer, reply


def _no_sideways_overflow(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


def _header_items_do_not_overlap(page) -> None:
    boxes = page.evaluate("""() => {
        const items = document.querySelectorAll(
          '.site-header .navbar-brand, .site-header .navbar-nav > .nav-item, .site-header .site-search, '
          + '.site-header .language-switcher li');
        return Array.from(items).filter((el) => el.offsetParent !== null && !el.querySelector('.language-switcher'))
          .map((el) => { const r = el.getBoundingClientRect();
                         return {name: el.className + ' ' + el.textContent.trim().slice(0, 20),
                                 l: r.left, r: r.right, t: r.top, b: r.bottom}; });
    }""")
    assert len(boxes) >= 6, boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_x = min(a["r"], b["r"]) - max(a["l"], b["l"])
            overlap_y = min(a["b"], b["b"]) - max(a["t"], b["t"])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)


def _shoot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / name), full_page=True)


def test_arabic_pages_are_laid_out_right_to_left(page, scene):
    moderator, discussion, question, answer, reply = scene
    login(page, moderator.email, PASSWORD)

    page.goto(f"/ar/discussions/{discussion.slug}/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    parent_box = page.locator(f"#comment-{answer.pk}").bounding_box()
    reply_box = page.locator(f"#comment-{reply.pk}").bounding_box()
    # Right to left, a reply is indented from the right: its right edge is further left than its parent's.
    assert reply_box["x"] + reply_box["width"] < parent_box["x"] + parent_box["width"] - 10, (parent_box, reply_box)
    assert abs(reply_box["x"] - parent_box["x"]) < 2, (parent_box, reply_box)
    body = page.locator(f"#comment-{answer.pk} .comment-body")
    expect(body).to_have_attribute("lang", "ar")
    expect(body).to_have_attribute("dir", "rtl")
    # The text starts on the right of its box.
    text_box = page.locator(f"#comment-{answer.pk} .comment-body p").evaluate(
        "(p) => { const r = document.createRange(); r.selectNodeContents(p); const t = r.getBoundingClientRect();"
        " const b = p.getBoundingClientRect(); return [b.right - t.right, t.left - b.left]; }")
    assert text_box[0] < 2 <= text_box[1], text_box
    _no_sideways_overflow(page)
    _header_items_do_not_overlap(page)
    _shoot(page, "ar-discussion.png")

    page.goto(f"/ar/discussions/{discussion.slug}/post/?question={question.pk}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("select[name=language]")).to_have_value("ar")
    editor = page.locator(".rich-editor-area")
    expect(editor).to_be_visible()
    toolbar = page.get_by_role("toolbar").bounding_box()
    first_button = page.get_by_role("toolbar").locator("button").first.bounding_box()
    # The toolbar's first button sits at its right end.
    assert first_button["x"] + first_button["width"] > toolbar["x"] + toolbar["width"] - 60, (toolbar, first_button)
    _no_sideways_overflow(page)
    _header_items_do_not_overlap(page)
    _shoot(page, "ar-comment-form.png")

    page.goto("/ar/discussions/moderation/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".queue-item").first).to_be_visible()
    _no_sideways_overflow(page)
    _header_items_do_not_overlap(page)
    _shoot(page, "ar-moderation-queue.png")


def test_the_arabic_pages_fit_a_small_screen(page, scene):
    moderator, discussion, question, answer, reply = scene
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"/ar/discussions/{discussion.slug}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _no_sideways_overflow(page)
    _shoot(page, "ar-discussion-small.png")


@pytest.mark.parametrize("width", [800, 1024])
@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_the_header_items_never_overlap_at_middle_widths(page, scene, prefix, width):
    moderator = scene[0]
    login(page, moderator.email, PASSWORD)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{prefix}/discussions/")
    _header_items_do_not_overlap(page)
    _no_sideways_overflow(page)
    _shoot(page, f"header{prefix.replace('/', '-') or '-en'}-{width}.png")
