"""Cells safe to open in a spreadsheet: the one rule every CSV and Excel export of the site follows.

A spreadsheet runs a text cell as a formula (or a DDE command) when it starts with = + - @, a tab or a carriage
return (OWASP, "CSV Injection"). Spreadsheets also skip what they cannot see before that character: control
characters (Excel's files cannot even hold most of them, so the writer drops them), spaces and invisible
formatting characters (zero-width spaces, direction marks, the byte order mark). So a cell is first normalised
(control characters removed), then judged by its first *visible* character, and neutralised with a leading
apostrophe: a spreadsheet shows the text and never runs it.

CSV has one more way in: a program that splits the file on another separator than ours (Excel in a locale whose
list separator is ";", or a tab-separated import) turns `Agreed;=WEBSERVICE(...)` into two cells, the second a
formula. Quoting the field does not help, because that program does not read our quotes the way we write them
(`"1","Agreed;=X"` split on ";" gives the cell `=X"`). So in CSV a formula start that follows a separator
(";", "," or a tab, then nothing visible) gets an apostrophe too: `Agreed;'=WEBSERVICE(...)` is text however it
is split. The Excel writer does not need that (its cells are never split), and it stores every text cell as a
string (discussions/secretariat/export.py `_Sheet`), so no text can become a formula there even if this rule missed one.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

# What starts a formula; the full-width forms are read as the same characters by some spreadsheets and IMEs.
FORMULA_TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# A cell whose very first character is one of these is read as a formula even with nothing after it.
FORMULA_FIRST = frozenset(FORMULA_TRIGGERS | {"\t", "\r"})

# C0 controls except tab, line feed and carriage return (text keeps its lines), DEL and the C1 controls.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Zero-width and direction characters, and the byte order mark: invisible, so a spreadsheet may skip them.
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f" \
             "\u3164\ufe00-\ufe0f\ufeff\uffa0"
_TRIGGERS = "=+\\-@\uff1d\uff0b\uff0d\uff20"
# A separator that another program may split on, then only blanks or invisible characters, then a formula start.
_AFTER_SEPARATOR_RE = re.compile(f"([;,\t][ \u00a0\u3000{_INVISIBLE}]*)(?=[{_TRIGGERS}])")


_INVISIBLE_CHARS = frozenset(re.sub(r"(.)-(.)", lambda m: "".join(map(chr, range(ord(m[1]), ord(m[2]) + 1))),
                                    _INVISIBLE))


def _ignorable(char: str) -> bool:
    """Blank or invisible: a space of any kind, a formatting character (Unicode category Cf) or a filler."""
    return char.isspace() or char in _INVISIBLE_CHARS or unicodedata.category(char) == "Cf"


def is_formula(text: str) -> bool:
    """Would a spreadsheet read this (control-free) text as a formula: its first visible character, or its very
    first character if that is a tab or a carriage return, starts one."""
    first = text[:1]
    if first in FORMULA_FIRST:
        return True
    if not first or first.isalnum() or not _ignorable(first):  # isalnum: the common case, decided fast
        return False
    for char in text:
        if not _ignorable(char):
            return char in FORMULA_TRIGGERS
    return False


def neutralise(value: Any) -> Any:
    """A text cell without control characters and, if a spreadsheet would read it as a formula, with a leading
    apostrophe; other values pass unchanged."""
    if not isinstance(value, str):
        return value
    if _CONTROL_RE.search(value):
        value = _CONTROL_RE.sub("", value)
    if value and is_formula(value):
        return "'" + value
    return value


def neutralise_separators(value: Any) -> Any:
    """In CSV only: an apostrophe before every formula start that follows a separator (see the module's doc)."""
    if isinstance(value, str) and _has_formula_after_separator(value):
        return _AFTER_SEPARATOR_RE.sub(r"\1'", value)
    return value


def _has_formula_after_separator(value: str) -> bool:
    # The substring tests first: they are much faster than the pattern, and most cells hold no separator.
    return ("," in value or ";" in value or "\t" in value) and _AFTER_SEPARATOR_RE.search(value) is not None


def neutralise_csv(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula, however it splits the line: neutralise() and
    neutralise_separators() together."""
    if not isinstance(value, str):
        return value
    # The same result as neutralise_separators(neutralise(value)) in one function: the exports run this on every
    # cell of every row.
    if _CONTROL_RE.search(value):
        value = _CONTROL_RE.sub("", value)
    if _has_formula_after_separator(value):
        value = _AFTER_SEPARATOR_RE.sub(r"\1'", value)
    if value and is_formula(value):
        return "'" + value
    return value
