"""Finding the priorities that a piece of free text names, and linking them in clean HTML.

Other apps call these (discussions tags comments with the priorities they name and links them when rendering),
so they take a workplan and never import anything outside `workplan` and `hub`.

What counts as a mention, case-insensitive and never inside a longer word:
  - the full label: "New Priority 5", "Ongoing Priority 3", "ongoing priority no. 3", "New Priority #5";
  - the code: "NP5", "OP 3", "np-5";
  - a bare "priority 3" / "priority area 3" / "priority no. 3", only when exactly one active priority of the
    workplan has that number, since the reader cannot tell New Priority 3 from Ongoing Priority 3 otherwise.
Numbers followed by a decimal part ("priority 3.5") are not mentions; nor are plurals ("priorities 3 and 4").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Iterable, Iterator

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from hub.text import clean_html, html_tokens, unescape_text
from workplan.models import Priority, Workplan

# Python's \b and \s are Unicode-aware, so "NP5" inside "SNP5" or "NP5a" is not a mention, and a non-breaking
# space between the words still counts as a space.
_NUMBER = r"(?:no\.?\s*|nr\.?\s*|number\s+|\#\s*)?(?P<number>\d{1,2})(?![\w]|[.,]\d)"
_LABEL_RE = re.compile(r"\b(?P<kind>new|ongoing)\s+priority\s+(?:area\s+)?" + _NUMBER, re.IGNORECASE)
_CODE_RE = re.compile(r"\b(?P<kind>np|op)(?:\s?-?\s?)(?P<number>\d{1,2})(?![\w]|[.,]\d)", re.IGNORECASE)
_BARE_RE = re.compile(r"\bpriority\s+(?:area\s+)?" + _NUMBER, re.IGNORECASE)

_DIGIT_RE = re.compile(r"\d")
# Links made for mentions in one comment; the rest stay text. A 20,000-character comment naming a priority in every
# sentence has fewer, and the cap bounds what a page of "NP1 NP1 …" adds to the HTML (each link is ~150 characters).
MAX_LINKED_MENTIONS = 200

_KIND_WORDS = {"new": Priority.Kind.NEW, "ongoing": Priority.Kind.ONGOING,
               "np": Priority.Kind.NEW, "op": Priority.Kind.ONGOING}


@dataclass(frozen=True)
class Mention:
    """One priority named in a text, at text[start:end]. Unpacks as (priority, start, end)."""

    priority: Priority
    start: int
    end: int

    def __iter__(self) -> Iterator:
        return iter((self.priority, self.start, self.end))


def _may_mention(text: str) -> bool:
    """False when the text (or its HTML) cannot hold a mention: every mention has "priority" in it, or "np"/"op" and
    a digit. Substring tests cost a small fraction of the three patterns, and most text nodes fail them."""
    lowered = text.lower()
    return "priority" in lowered or (("np" in lowered or "op" in lowered) and _DIGIT_RE.search(text) is not None)


class PriorityIndex:
    """The active priorities of a workplan, keyed for lookup; build once and reuse across many texts."""

    def __init__(self, priorities: Iterable[Priority]) -> None:
        self.by_kind: dict[tuple[str, int], Priority] = {}
        by_number: dict[int, list[Priority]] = {}
        for priority in priorities:
            if not priority.active:
                continue
            self.by_kind[(priority.kind, priority.number)] = priority
            by_number.setdefault(priority.number, []).append(priority)
        # A bare number is only a mention when it names one priority and no other.
        self.unambiguous = {number: found[0] for number, found in by_number.items() if len(found) == 1}
        self._link_tags: dict[tuple[int, str | None], str] = {}

    def link_tag(self, priority: Priority, language: str | None) -> str:
        """The opening tag of a link to the priority, made once per language: reversing the URL and translating
        the label for each mention took most of the time of rendering a long discussion."""
        key = (id(priority), language)
        tag = self._link_tags.get(key)
        if tag is None:
            title = f"{priority.label}: {priority.title}"
            tag = (f'<a href="{escape(priority.get_absolute_url())}" class="priority-mention" '
                   f'title="{escape(title)}">')
            self._link_tags[key] = tag
        return tag

    @property
    def signature(self) -> str:
        """A digest of everything a linked mention shows (codes, numbers, titles, workplan slugs): text linked
        against an index with the same signature links the same way."""
        sig = getattr(self, "_signature", None)
        if sig is None:
            import hashlib

            parts = sorted((p.pk, p.kind, p.number, p.title, p.workplan.slug) for p in self.by_kind.values())
            sig = self._signature = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
        return sig

    @classmethod
    def for_workplan(cls, workplan: Workplan) -> "PriorityIndex":
        """Cached on the workplan instance, so rendering fifty comments costs one query, not fifty."""
        index = getattr(workplan, "_priority_index", None)
        if index is None:
            priorities = list(Priority.objects.filter(workplan=workplan, active=True))
            for priority in priorities:
                priority.workplan = workplan  # get_absolute_url needs the slug, without a query per link
            index = cls(priorities)
            workplan._priority_index = index
        return index


def find_priority_mentions(text: str, workplan: Workplan | PriorityIndex) -> list[Mention]:
    """The priorities of the workplan that the text names, with their spans, in order of appearance."""
    if not text:
        return []
    index = workplan if isinstance(workplan, PriorityIndex) else PriorityIndex.for_workplan(workplan)
    found: list[Mention] = []
    # Spans claimed by the patterns before, sorted and disjoint. A pattern's matches come in order of position, so
    # one pointer walks `taken` once per pattern: linear, where testing each match against every claim was not.
    taken: list[tuple[int, int]] = []

    # Most specific first: a full label is also a bare "priority 5" and must not be matched twice.
    for pattern in (_LABEL_RE, _CODE_RE, _BARE_RE):
        claimed: list[tuple[int, int]] = []
        position = 0
        for match in pattern.finditer(text):
            start, end = match.span()
            while position < len(taken) and taken[position][1] <= start:
                position += 1
            if position < len(taken) and taken[position][0] < end:
                continue  # overlaps a span claimed by a more specific pattern
            number = int(match.group("number"))
            kind = match.groupdict().get("kind")
            if kind:
                # Claimed even when the workplan has no such priority, so that "New Priority 7" never falls
                # through to the bare "Priority 7" and links Ongoing Priority 7 instead.
                claimed.append((start, end))
                priority = index.by_kind.get((_KIND_WORDS[kind.lower()], number))
            else:
                priority = index.unambiguous.get(number)
            if priority is not None:
                found.append(Mention(priority, start, end))
        if claimed:
            taken = sorted(taken + claimed)  # two sorted runs: merged in linear time
    found.sort(key=lambda mention: mention.start)
    return found


def mentioned_priorities(text: str, workplan: Workplan | PriorityIndex) -> list[Priority]:
    """Each priority the text names, once, in order of first mention."""
    seen: dict[int, Priority] = {}
    for mention in find_priority_mentions(text, workplan):
        seen.setdefault(mention.priority.pk, mention.priority)
    return list(seen.values())


def _link_mentions(data: str, index: PriorityIndex, budget: int, language: str | None) -> tuple[str, int]:
    """A text node (as escaped in the HTML) with at most `budget` mentions linked; returns it and the links made."""
    if not _may_mention(data):
        return data, 0
    text = unescape_text(data)
    mentions = find_priority_mentions(text, index)[:budget]
    if not mentions:
        return data, 0
    parts = []
    position = 0
    for priority, start, end in mentions:
        parts.append(escape(text[position:start], quote=False))
        parts.append(f"{index.link_tag(priority, language)}{escape(text[start:end], quote=False)}</a>")
        position = end
    parts.append(escape(text[position:], quote=False))
    return "".join(parts), len(mentions)


def link_priority_mentions(html: str, workplan: Workplan | PriorityIndex) -> SafeString:
    """Clean HTML with each priority mention turned into a link to its page; text inside links is left alone.

    The input is cleaned again first, so whatever is passed in, only allowlisted markup comes out. At most
    MAX_LINKED_MENTIONS mentions are linked; later ones stay text."""
    cleaned = clean_html(html)
    if not cleaned or not _may_mention(cleaned):
        return mark_safe(cleaned)  # clean_html's output holds only allowlisted markup
    index = workplan if isinstance(workplan, PriorityIndex) else PriorityIndex.for_workplan(workplan)
    out: list[str] = []
    link_depth = 0
    budget = MAX_LINKED_MENTIONS
    language = get_language()
    for kind, tag, source in html_tokens(cleaned):
        if kind == "text" and not link_depth and budget:
            source, made = _link_mentions(source, index, budget, language)
            budget -= made
        elif tag == "a":
            link_depth += 1 if kind == "start" else -1 if link_depth else 0
        out.append(source)
    return mark_safe("".join(out))  # clean HTML, with links of our own around escaped text
