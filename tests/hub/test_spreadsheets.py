"""The one rule every CSV and Excel export follows (hub/spreadsheets.py): no cell is ever run as a formula."""
from __future__ import annotations

import pytest

from hub.spreadsheets import is_formula, neutralise, neutralise_csv, neutralise_separators

HIDDEN_FORMULAS = [
    # A control character first: Excel's writer drops it, and the formula behind it would start the cell.
    ("\x01=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
    ("\x1b\x7f+1", "'+1"),
    ("\x9b@SUM(1)", "'@SUM(1)"),
    # A tab or carriage return first is itself a formula start (OWASP); blanks and invisible characters before one
    # are skipped by spreadsheets.
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    (" =cmd|' /C calc'!A0", "' =cmd|' /C calc'!A0"),
    ("\u00a0\u3000-2+3", "'\u00a0\u3000-2+3"),
    ("\n=1", "'\n=1"),
    ("\u200b=1", "'\u200b=1"),
    ("\ufeff@x", "'\ufeff@x"),
    ("\u202e\u2066=1", "'\u202e\u2066=1"),
    ("\x00 \u200d=1", "' \u200d=1"),
    # Full-width forms.
    ("\uff1dSUM(1)", "'\uff1dSUM(1)"),
]


@pytest.mark.parametrize("value, expected", HIDDEN_FORMULAS)
def test_a_formula_behind_control_blank_or_invisible_characters_is_neutralised(value, expected):
    assert neutralise(value) == expected
    assert not is_formula(neutralise(value))


@pytest.mark.parametrize("value", ["plain", "a =not at start", "Line one\n- a bullet", "42", "", " ", "\u200b",
                                   "Agreed;=WEBSERVICE(1)"])
def test_text_that_no_spreadsheet_runs_is_left_as_it_is(value):
    assert neutralise(value) == value


def test_control_characters_are_removed_but_tabs_and_line_breaks_kept():
    assert neutralise("a\x00b\x07c\x0bd\x85e\tf\ng\r\nh") == "ab" "cde\tf\ng\r\nh"


def test_values_that_are_not_text_pass_unchanged():
    assert neutralise(42) == 42 and neutralise(None) is None and neutralise(1.5) == 1.5
    assert neutralise_csv(7) == 7


@pytest.mark.parametrize("value, expected", [
    ("Agreed;=WEBSERVICE(\"http://evil.example\")", "Agreed;'=WEBSERVICE(\"http://evil.example\")"),
    ("Agreed, +1", "Agreed, '+1"),
    ("a\t@SUM(1)", "a\t'@SUM(1)"),
    ("x;\u200b -1;=2", "x;\u200b '-1;'=2"),
    ("No separator - here", "No separator - here"),
    ("Line\n- bullet", "Line\n- bullet"),
    ("a;b,c", "a;b,c"),
])
def test_in_csv_a_formula_start_after_a_separator_is_neutralised_too(value, expected):
    assert neutralise_separators(value) == expected
    # However the line is split on ; , or tab, no piece starts a formula.
    for separator in ";,\t":
        for piece in neutralise_csv(value).split(separator):
            assert not is_formula(piece), (separator, piece)


def test_neutralise_csv_does_both_and_is_stable():
    value = "\x01=1;=2"
    once = neutralise_csv(value)
    assert once == "'=1;'=2"
    assert neutralise_csv(once) == once
