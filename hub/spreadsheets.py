"""Cells safe to open in a spreadsheet: the one rule every CSV and Excel export of the site follows."""
from __future__ import annotations

from typing import Any

# A text cell starting with one of these is read as a formula (formula injection) unless it is neutralised.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
