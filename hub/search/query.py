"""What someone typed in the search box, made into a query that cannot fail.

The syntax is the one people know from web search engines (and PostgreSQL's websearch_to_tsquery): words are all
required, "quoted words" form a phrase, -word excludes, and "or" between words accepts either. Everything else —
operators of FTS5 or tsquery, brackets, stars, colons — is ignored: only words (letters and digits) reach the engine,
quoted, so no input can make a syntax error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from hub.search.normalize import clean_text

MAX_QUERY_CHARS = 200
MAX_TERMS = 12

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass
class Group:
    """Terms that must all match (each a phrase: a list of words), and terms that must not."""

    required: list[list[str]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)


@dataclass
class ParsedQuery:
    groups: list[Group]  # any group may match ("or")

    def __bool__(self) -> bool:
        return bool(self.groups)

    def words(self) -> list[str]:
        return [word for group in self.groups for phrase in group.required for word in phrase]


def parse(text: str | None) -> ParsedQuery:
    """The query's groups of phrases; empty when nothing searchable was typed."""
    text = clean_text(text or "", limit=MAX_QUERY_CHARS)
    groups, current, terms = [], Group(), 0
    for match in _TOKEN.finditer(text):
        negated_phrase, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            groups.append(current)
            current = Group()
            continue
        negated = bool(negated_phrase) or bool(bare and bare.startswith("-"))
        words = _WORD.findall(phrase if phrase is not None else bare)
        # Word characters include "_", which both engines treat as a separator: split there too.
        words = [part for word in words for part in word.split("_") if part]
        if not words or terms >= MAX_TERMS:
            continue
        words = words[:MAX_TERMS - terms]
        terms += len(words)
        (current.excluded if negated else current.required).append([w.lower() for w in words])
    groups.append(current)
    # A group of exclusions only would match nearly everything: it is dropped, as is an empty group.
    return ParsedQuery([g for g in groups if g.required])


def quoted(phrase: list[str]) -> str:
    return '"' + " ".join(phrase) + '"'


def as_fts5(query: ParsedQuery) -> str:
    """The query in SQLite FTS5 syntax: ("a b" "c" NOT "d") OR ("e")."""
    parts = []
    for group in query.groups:
        expression = " ".join(quoted(p) for p in group.required)
        for phrase in group.excluded:
            expression += " NOT " + quoted(phrase)
        parts.append(f"({expression})")
    return " OR ".join(parts)


