"""Whatever is typed in the search box becomes a query that cannot fail."""
from __future__ import annotations

import pytest

from hub.search import query, selectors
from tests.factories import make_comment
from tests.hub.search.conftest import found

JUNK = [
    '"', '""', '*', "**", "AND (", "a AND", "OR", "a OR", "or", "NOT", "NOT a", "a NOT", "NEAR(", 'NEAR("a" "b", 2)',
    "-", "---", "-a", "(((", ")", "{a b}", "^a", "a:b", "title:migration", "col : x", "'", "\\", "%", "_", "%_%",
    "a'b", '"unclosed phrase', "\x00", "\x00migration", "\ue000migration\ue001", "😀", "&amp;", "<script>", "' OR 1=1 --",
    ":*", "!", "!!a", "a & b", "a | b", "a <-> b", "a:*", "migration" * 40, "x " * 150,
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", JUNK)
def test_no_input_makes_the_search_fail(committed, text):
    with committed():
        make_comment(body_text="Labour migration and the NOT so near future.")
    result = selectors.search(text=text)
    assert result.total == len(result.hits)


@pytest.mark.django_db
@pytest.mark.parametrize("text", JUNK)
def test_no_input_makes_the_page_fail(client, text):
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200


def test_words_are_all_required_and_lowercased():
    parsed = query.parse("Labour  Migration")
    assert [(g.required, g.excluded) for g in parsed.groups] == [([["labour"], ["migration"]], [])]


def test_quotes_make_a_phrase_a_dash_excludes_and_or_accepts_either():
    parsed = query.parse('"labour mobility" -detention or climate')
    assert [(g.required, g.excluded) for g in parsed.groups] == [
        ([["labour", "mobility"]], [["detention"]]), ([["climate"]], [])]
    assert query.as_fts5(parsed) == '("labour mobility" NOT "detention") OR ("climate")'


def test_operators_and_punctuation_are_only_words_to_the_engines():
    # Words joined by punctuation stay together as a phrase, as they were typed.
    assert query.as_fts5(query.parse("NEAR(a b) AND c*")) == '("near a" "b" "and" "c")'
    assert query.as_fts5(query.parse("co-operation")) == '("co operation")'


def test_exclusions_alone_search_nothing():
    assert not query.parse("-detention -return")


def test_the_query_is_cut_at_200_characters_and_12_terms():
    assert len(query.parse(" ".join(f"w{i}" for i in range(40))).words()) == query.MAX_TERMS
    assert query.parse("a" * 250).words() == ["a" * query.MAX_QUERY_CHARS]


@pytest.mark.django_db
def test_a_phrase_matches_the_words_together_only(committed):
    with committed():
        together = make_comment(body_text="Labour mobility partnerships work.")
        apart = make_comment(body_text="Mobility of labour inspectors.")
    assert set(found("labour mobility")) == {("comment", together.pk), ("comment", apart.pk)}
    assert found('"labour mobility"') == [("comment", together.pk)]
    assert found("labour -inspectors") == [("comment", together.pk)]
    assert set(found("partnerships or inspectors")) == {("comment", together.pk), ("comment", apart.pk)}
