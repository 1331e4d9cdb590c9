"""Text as the index keeps it, and the guess of its language that picks the stemmer."""
import pytest

from hub.search.normalize import MARK_END, MARK_START, clean_text, guess_language


@pytest.mark.parametrize("text, language", [
    ("We think the network should have a priority on remittances and their costs.", "en"),
    ("Les migrants travailleurs doivent être protégés dans les accords de mobilité.", "fr"),
    ("Los trabajadores migrantes deben ser protegidos en los acuerdos para la movilidad.", "es"),
    ("ينبغي أن تكون حماية العمال المهاجرين أولوية للشبكة", "ar"),
    ("Remittances.", ""),
    ("", ""),
    ("12 34 56", ""),
])
def test_the_language_is_guessed_from_common_words_or_the_script(text, language):
    assert guess_language(text) == language


def test_control_characters_nul_and_the_highlight_markers_never_reach_the_index():
    assert clean_text(f"a\x00b\x07c{MARK_START}d{MARK_END}e\r\nf") == "abcde\nf"


def test_a_lone_surrogate_is_replaced_rather_than_breaking_the_database_write():
    assert clean_text("broken \ud800 pdf") == "broken ? pdf"


def test_spaces_are_folded_and_the_text_cut_at_the_limit():
    assert clean_text("a  \t b\n\n\n\nc") == "a b\n\nc"
    assert clean_text("a  \t b\n\n\n\nc", limit=4) == "a b\n"
