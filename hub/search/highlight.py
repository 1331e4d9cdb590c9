"""Snippets with the matched words marked, made safe for a page.

The engines mark matches with two private-use characters that the index never stores (see normalize.clean_text).
The text between them is escaped piece by piece and only then wrapped in <mark>, so the only markup in a snippet is
ours, whatever the indexed text contained.
"""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hub.search.normalize import MARK_END, MARK_START


def has_mark(text: str) -> bool:
    return MARK_START in text


def snippet_html(marked: str) -> SafeString:
    """Escaped text with <mark> around the engine's matches (stray or unbalanced markers are dropped)."""
    out, inside = [], False
    for piece in marked.replace(MARK_END, MARK_START).split(MARK_START):
        if piece:
            out.append(f"<mark>{escape(piece)}</mark>" if inside else escape(piece))
        inside = not inside
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped
