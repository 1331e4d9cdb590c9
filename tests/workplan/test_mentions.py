"""Mention detection is table-driven: each case is a text, the priorities that exist, and what must be found."""
from __future__ import annotations

import re

import pytest

from tests.factories import make_priority, make_workplan
from workplan.mentions import (
    MAX_LINKED_MENTIONS, PriorityIndex, find_priority_mentions, link_priority_mentions, mentioned_priorities,
)
from workplan.models import Priority

pytestmark = pytest.mark.django_db

BOTH = ["NP1", "NP3", "NP5", "OP2", "OP3", "OP4", "OP5", "OP10"]  # 3 and 5 exist in both kinds
NEW_ONLY_3 = ["NP3", "OP2", "OP4"]
ONGOING_ONLY_3 = ["NP1", "OP3"]

# text, existing codes, expected [(code, matched text)]
CASES = [
    ("We support New Priority 5.", BOTH, [("NP5", "New Priority 5")]),
    ("Ongoing Priority 3 matters", BOTH, [("OP3", "Ongoing Priority 3")]),
    ("see ongoing priority no. 3 please", BOTH, [("OP3", "ongoing priority no. 3")]),
    ("see ONGOING PRIORITY NO 3", BOTH, [("OP3", "ONGOING PRIORITY NO 3")]),
    ("New Priority #5 is good", BOTH, [("NP5", "New Priority #5")]),
    ("new priority number 1", BOTH, [("NP1", "new priority number 1")]),
    ("NP5 and OP3", BOTH, [("NP5", "NP5"), ("OP3", "OP3")]),
    ("OP 3 is key", BOTH, [("OP3", "OP 3")]),
    ("np5 in lower case", BOTH, [("NP5", "np5")]),
    ("Op10, then", BOTH, [("OP10", "Op10")]),
    ("on NP-5", BOTH, [("NP5", "NP-5")]),
    ("(OP5)", BOTH, [("OP5", "OP5")]),
    ("Ongoing Priority 10.", BOTH, [("OP10", "Ongoing Priority 10")]),
    ("New\u00a0Priority\u00a05", BOTH, [("NP5", "New\u00a0Priority\u00a05")]),
    ("New Priority 5, NP5 and Ongoing Priority 3", BOTH,
     [("NP5", "New Priority 5"), ("NP5", "NP5"), ("OP3", "Ongoing Priority 3")]),
    # Bare numbers only where a single priority carries them.
    ("priority area 3 is vital", NEW_ONLY_3, [("NP3", "priority area 3")]),
    ("Priority 3 is vital", ONGOING_ONLY_3, [("OP3", "Priority 3")]),
    ("priority no. 2", NEW_ONLY_3, [("OP2", "priority no. 2")]),
    ("priority 3 needs work", BOTH, []),
    ("priority area 3 needs work", BOTH, []),
    ("priority 4", ["NP4", "OP4"], []),
    # False friends.
    ("3 priorities for the year", BOTH, []),
    ("our top priority is funding", BOTH, []),
    ("priorities 3 and 5", BOTH, []),
    ("a high priority", BOTH, []),
    ("priority 3.5 million people", NEW_ONLY_3, []),
    ("SNP5 polymorphism", BOTH, []),
    ("NP5a is a sub-item", BOTH, []),
    ("OP35 does not exist", BOTH, []),
    ("New Priority 9 does not exist", BOTH, []),
    ("New Priority 2 is not Ongoing Priority 2", ["OP2"], [("OP2", "Ongoing Priority 2")]),
    ("stop 3", BOTH, []),
    ("CNP 5", BOTH, []),
    ("priority3", NEW_ONLY_3, []),
    ("NP_5", BOTH, []),
    ("op-ed 3 says", BOTH, []),
    ("", BOTH, []),
]


def _workplan_with(codes: list[str]):
    workplan = make_workplan()
    for code in codes:
        make_priority(workplan=workplan, kind="new" if code.startswith("NP") else "ongoing", number=int(code[2:]))
    return workplan


@pytest.mark.parametrize("text, codes, expected", CASES, ids=[c[0][:40] or "empty" for c in CASES])
def test_find_priority_mentions(text, codes, expected):
    workplan = _workplan_with(codes)
    found = find_priority_mentions(text, workplan)
    assert [(m.priority.code, text[m.start:m.end]) for m in found] == expected


def test_mentions_unpack_as_priority_start_end():
    workplan = _workplan_with(["NP5"])
    [(priority, start, end)] = find_priority_mentions("see NP5", workplan)
    assert (priority.code, start, end) == ("NP5", 4, 7)


def test_inactive_priorities_are_not_mentioned_and_do_not_make_a_number_ambiguous():
    workplan = _workplan_with(["NP3"])
    make_priority(workplan=workplan, kind="ongoing", number=3, active=False)
    assert [m.priority.code for m in find_priority_mentions("OP3 and priority 3", workplan)] == ["NP3"]


def test_mentions_of_another_workplan_are_ignored():
    _workplan_with(["NP5"])
    other = _workplan_with(["OP1"])
    assert find_priority_mentions("New Priority 5", other) == []


def test_mentioned_priorities_lists_each_once_in_order():
    workplan = _workplan_with(["NP5", "OP3"])
    codes = [p.code for p in mentioned_priorities("OP3, then NP5, again OP 3", workplan)]
    assert codes == ["OP3", "NP5"]


def test_the_index_is_built_once_per_workplan_instance(django_assert_num_queries):
    workplan = _workplan_with(["NP5", "OP3"])
    with django_assert_num_queries(1):
        for _ in range(20):
            find_priority_mentions("NP5 and OP3", workplan)
            link_priority_mentions("<p>NP5</p>", workplan)


def test_an_index_can_be_passed_instead_of_a_workplan(django_assert_num_queries):
    workplan = _workplan_with(["NP5"])
    index = PriorityIndex(Priority.objects.filter(workplan=workplan).select_related("workplan"))
    with django_assert_num_queries(0):
        assert [m.priority.code for m in find_priority_mentions("NP5", index)] == ["NP5"]


def test_linking_turns_mentions_in_text_into_links():
    workplan = _workplan_with(["NP5", "OP3"])
    html = link_priority_mentions("<p>We back <strong>New Priority 5</strong> and OP3.</p>", workplan)
    assert f'<a href="/workplan/{workplan.slug}/priorities/np5/" class="priority-mention"' in html
    assert f'href="/workplan/{workplan.slug}/priorities/op3/"' in html
    assert ">New Priority 5</a></strong>" in html


def test_linking_leaves_text_inside_existing_links_alone():
    workplan = _workplan_with(["NP5"])
    html = link_priority_mentions('<p><a href="https://example.org/np5">read NP5</a> and NP5</p>', workplan)
    assert html.count("priority-mention") == 1
    assert '<a href="https://example.org/np5" rel="nofollow ugc noopener">read NP5</a>' in html


def test_linking_keeps_the_output_safe():
    workplan = _workplan_with(["NP5"])
    html = link_priority_mentions('<p>NP5 &lt;script&gt;alert(1)&lt;/script&gt; <img src=x onerror=alert(1)>'
                                  '<script>alert(2)</script> &amp; "quotes"</p>', workplan)
    assert "<script" not in html and "<img" not in html and "onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;" in html


def test_linking_escapes_priority_titles_in_the_tooltip():
    workplan = make_workplan()
    make_priority(workplan=workplan, kind="new", number=5, title='"><script>x</script>')
    html = link_priority_mentions("<p>NP5</p>", workplan)
    assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html


def test_linking_text_without_mentions_returns_it_unchanged():
    workplan = _workplan_with(["NP5"])
    assert link_priority_mentions("<p>Nothing <em>here</em>.</p>", workplan) == "<p>Nothing <em>here</em>.</p>"
    assert link_priority_mentions("", workplan) == ""


def test_a_comment_naming_a_priority_five_thousand_times_links_only_the_first_two_hundred():
    workplan = _workplan_with(BOTH)
    html = link_priority_mentions("<p>" + "np1 " * 5000 + "</p>", workplan)
    assert MAX_LINKED_MENTIONS == 200
    assert html.count('class="priority-mention"') == MAX_LINKED_MENTIONS
    assert html.count(">np1</a>") == MAX_LINKED_MENTIONS
    assert html.count("np1 ") == 5000 - MAX_LINKED_MENTIONS  # the others stay as text
    assert html.startswith('<p><a href="') and html.endswith("np1 </p>")


def test_the_link_budget_is_shared_by_every_paragraph_of_a_comment():
    workplan = _workplan_with(BOTH)
    html = link_priority_mentions("<p>OP3 NP5</p>" * 150, workplan)
    assert html.count('class="priority-mention"') == MAX_LINKED_MENTIONS
    text = re.sub(r"<[^>]*>", "", html)
    assert text.count("OP3") == text.count("NP5") == 150


def test_five_thousand_mentions_are_all_found_with_overlaps_resolved():
    workplan = _workplan_with(BOTH)
    found = find_priority_mentions("New Priority 5 and priority 5, NP5; " * 2000, workplan)
    # Bare "priority 5" is ambiguous here (NP5 and OP5 exist) and the label is never matched twice.
    assert [m.priority.code for m in found[:2]] == ["NP5", "NP5"]
    assert len(found) == 4000


def test_text_around_a_mention_keeps_its_character_references():
    workplan = _workplan_with(BOTH)
    html = link_priority_mentions("<p>A &amp; B&nbsp;on NP5 &lt;b&gt;</p><p>R&amp;D&nbsp;only</p>", workplan)
    assert html.startswith("<p>A &amp; B\u00a0on <a href=") and html.endswith("</a> &lt;b&gt;</p><p>R&amp;D&nbsp;only</p>")
