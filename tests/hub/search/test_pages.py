"""The search page: the form, results with highlighted snippets, filters, paging, who finds what, query counts."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from discussions.models import Discussion
from hub.roles import MODERATORS, SECRETARIAT
from tests.factories import (
    make_comment, make_discussion, make_priority, make_question, make_user, make_workplan, minimal_pdf,
    make_attachment,
)

pytestmark = pytest.mark.django_db

URL = "/search/"
ROLES = ["visitor", "author", "stakeholder", "moderator", "discussion moderator", "secretariat"]


def hits(response) -> list[str]:
    """The result links' addresses, in order."""
    html = response.content.decode()
    return re.findall(r'<h3 class="h5 my-1"><a href="([^"]+)"', html)


def test_the_navigation_bar_has_a_search_box_on_every_page(client):
    html = client.get("/").content.decode()
    form = re.search(r'<form class="site-search[^>]*>.*?</form>', html, re.S).group(0)
    assert 'role="search"' in form and 'action="/search/"' in form and 'method="get"' in form
    assert '<label for="site-search-q" class="visually-hidden">Search</label>' in form
    assert 'name="q"' in form and 'maxlength="200"' in form


def test_an_empty_search_shows_the_form_and_no_results(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="q"' in html and 'name="kind"' in html and 'name="discussion"' in html
    assert 'name="priority"' in html and 'name="language"' in html and 'name="date_from"' in html
    assert "Type one or more words to search for." in html
    assert hits(response) == []


def test_a_search_shows_each_hit_with_its_kind_title_date_discussion_and_highlighted_snippet(client, committed):
    with committed():
        discussion = make_discussion(title="Draft Network Workplan 2022-2024")
        comment = make_comment(discussion=discussion, body="<p>Remittances matter.</p>",
                               body_text="We think remittances matter for development.",
                               published_at=timezone.now().replace(year=2025, month=3, day=14))
    response = client.get(URL, {"q": "remittances"})
    html = response.content.decode()
    assert hits(response) == [comment.get_absolute_url()]
    assert "1 result for “remittances”." in html
    assert '<span class="badge text-bg-light border search-kind">Comment</span>' not in html  # plural label
    assert "search-kind\">Comments</span>" in html
    assert "14 March 2025" in html
    assert f'in <a href="{discussion.get_absolute_url()}"' in html and "Draft Network Workplan 2022-2024" in html
    assert "<mark>remittances</mark> matter for development" in html
    assert comment.author_name in html


def test_text_from_the_index_is_escaped_and_only_the_match_is_marked(client, committed):
    with committed():
        author = make_user(name='Eve <img src=x onerror="alert(1)">')
        make_comment(author=author, body_text='<script>alert("remittances")</script> & remittances <b>bold</b>')
    html = client.get(URL, {"q": "remittances"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    snippet = re.search(r'<p class="search-snippet[^>]*>(.*?)</p>', html, re.S).group(1)
    assert set(re.findall(r"</?(\w+)", snippet)) == {"mark"}
    assert "<mark>remittances</mark>" in snippet
    if connection.vendor == "sqlite":  # PostgreSQL's headline leaves out what its parser takes for tags
        assert "&lt;script&gt;alert(&quot;<mark>remittances</mark>&quot;)&lt;/script&gt; &amp; " in snippet
    assert "Eve &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_a_match_in_an_attachment_is_shown_from_the_attachment(client, committed):
    with committed():
        comment = make_comment(body_text="Our full comments are attached.")
        make_attachment(comment=comment, data=minimal_pdf("Seasonal agricultural workers"))
    response = client.get(URL, {"q": "agricultural"})
    html = response.content.decode()
    assert hits(response) == [comment.get_absolute_url()]
    assert "In an attached document:" in html and "Seasonal <mark>agricultural</mark> workers" in html


def test_nothing_found_says_so(client, committed):
    with committed():
        make_comment(body_text="Remittances matter.")
    html = client.get(URL, {"q": "zanzibar"}).content.decode()
    assert "Nothing published matches “zanzibar”." in html


def test_a_query_longer_than_200_characters_is_refused_with_a_message_and_kept(client):
    typed = " ".join(["migration"] * 25)
    html = client.get(URL, {"q": typed}).content.decode()
    assert "Search for at most 200 characters (you typed 249)." in html
    assert f'value="{typed}"' in html
    assert "Correct the search form to see results." in html


def test_a_wrong_date_is_explained(client):
    html = client.get(URL, {"q": "migration", "date_from": "2025-02-31"}).content.decode()
    assert "Enter a valid date." in html
    html = client.get(URL, {"q": "migration", "date_from": "2025-03-02", "date_to": "2025-03-01"}).content.decode()
    assert "Choose a date on or after the “From” date." in html


@pytest.fixture
def corpus(committed):
    with committed():
        workplan = make_workplan()
        priority = make_priority(workplan=workplan, title="Remittances and financial inclusion")
        other_priority = make_priority(workplan=workplan, title="Labour mobility")
        first = make_discussion(workplan=workplan, title="First consultation")
        second = make_discussion(workplan=workplan, title="Second consultation")
        question = make_question(discussion=first, text="What about remittances?")
        now = timezone.now()
        tagged = make_comment(discussion=first, question=question, priorities=[priority],
                              body_text="Remittances need cheaper transfer costs.", published_at=now - timedelta(days=40))
        french = make_comment(discussion=second, priorities=[other_priority], published_at=now - timedelta(days=5),
                              body_text="Les remittances des travailleurs migrants sont une priorité pour nous.")
    return {"priority": priority, "first": first, "second": second, "question": question, "tagged": tagged,
            "french": french, "now": now}


def test_the_filters_narrow_the_results(client, corpus):
    c = corpus
    all_hits = hits(client.get(URL, {"q": "remittances"}))
    assert len(all_hits) == 4  # the priority, the question and two comments
    assert hits(client.get(URL, {"q": "remittances", "kind": "question"})) == [c["question"].get_absolute_url()]
    assert set(hits(client.get(URL, {"q": "remittances", "discussion": c["first"].pk}))) == {
        c["question"].get_absolute_url(), c["tagged"].get_absolute_url()}
    assert set(hits(client.get(URL, {"q": "remittances", "priority": c["priority"].pk}))) == {
        c["priority"].get_absolute_url(), c["tagged"].get_absolute_url()}
    assert hits(client.get(URL, {"q": "remittances", "language": "fr"})) == [c["french"].get_absolute_url()]
    since = (c["now"] - timedelta(days=10)).date().isoformat()
    assert hits(client.get(URL, {"q": "remittances", "kind": "comment", "date_from": since})) == [
        c["french"].get_absolute_url()]
    until = (c["now"] - timedelta(days=30)).date().isoformat()
    assert hits(client.get(URL, {"q": "remittances", "kind": "comment", "date_to": until})) == [
        c["tagged"].get_absolute_url()]


def test_the_filter_lists_offer_only_what_is_public(client, corpus, committed):
    with committed():
        make_discussion(title="Secret draft consultation", status=Discussion.Status.DRAFT)
    html = client.get(URL).content.decode()
    assert ">First consultation</option>" in html and ">Second consultation</option>" in html
    assert "Secret draft consultation" not in html
    assert f'<option value="{corpus["priority"].pk}">{corpus["priority"].code}: Remittances' in html


def test_an_unknown_filter_value_is_explained(client, corpus):
    html = client.get(URL, {"q": "remittances", "discussion": "999999"}).content.decode()
    assert "Select a valid choice." in html


def test_results_come_twenty_to_a_page(client, committed):
    with committed():
        discussion = make_discussion()
        for n in range(25):
            make_comment(discussion=discussion, body_text=f"Remittances, comment number {n}.")
    first = client.get(URL, {"q": "remittances", "kind": "comment"})
    html = first.content.decode()
    assert len(hits(first)) == 20 and "25 results for “remittances”." in html and "Page 1 of 2" in html
    assert 'href="?q=remittances&amp;kind=comment&amp;page=2"' in html
    second = client.get(URL, {"q": "remittances", "kind": "comment", "page": "2"})
    assert len(hits(second)) == 5
    assert not set(hits(first)) & set(hits(second))
    # A page past the end shows the last one; nonsense shows the first.
    assert hits(client.get(URL, {"q": "remittances", "kind": "comment", "page": "99"})) == hits(second)
    assert hits(client.get(URL, {"q": "remittances", "kind": "comment", "page": "x" * 50})) == hits(first)


@pytest.fixture
def world(committed):
    author = make_user(name="The Author")
    discussion_moderator = make_user()
    with committed():
        discussion = make_discussion(moderators=[discussion_moderator])
        draft = make_discussion(status=Discussion.Status.DRAFT, moderators=[discussion_moderator],
                                title="Remittances draft consultation")
        make_question(discussion=draft, text="Draft question on remittances?")
        published = make_comment(discussion=discussion, author=author, body_text="Published remittances words.")
        for status in ("pending", "declined", "hidden", "withdrawn"):
            make_comment(discussion=discussion, author=author, status=status, body_text=f"{status} remittances words")
        make_comment(discussion=draft, author=author, body_text="Published remittances words in a draft.")
    users = {"visitor": None, "author": author, "stakeholder": make_user(), "moderator": make_user(role=MODERATORS),
             "discussion moderator": discussion_moderator, "secretariat": make_user(role=SECRETARIAT)}
    return {"published": published, "users": users}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_finds_the_published_comment_and_nobody_finds_what_is_not_public(client, world, role):
    """Moderators and the author get no more than a visitor: only public things are in the index."""
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    response = client.get(URL, {"q": "remittances"})
    assert response.status_code == 200
    assert hits(response) == [world["published"].get_absolute_url()]
    html = response.content.decode()
    for hidden_words in ("pending", "declined", "hidden", "withdrawn", "draft"):
        assert f"{hidden_words} remittances" not in html.lower()
    assert "Draft question" not in html and "draft consultation" not in html


def _build(n: int):
    workplan = make_workplan()
    priority = make_priority(workplan=workplan)
    discussion = make_discussion(workplan=workplan)
    question = make_question(discussion=discussion, text="Remittances?")
    for i in range(n):
        comment = make_comment(discussion=discussion, question=question if i % 2 else None, priorities=[priority],
                               body_text=f"Remittances, comment {i}.")
        if i % 5 == 0:
            make_attachment(comment=comment, data=minimal_pdf(f"Remittances paper {i}"))


# Visitor: the filters' discussions and priorities, then the page of results with its total and snippets.
SEARCH_ANONYMOUS = 2
# Signed in: + session, user, profile, and the menu's moderation check (groups, permissions, moderated discussions).
SEARCH_SIGNED_IN = 8


@pytest.mark.parametrize("n", [1, 50])
def test_the_search_page_needs_the_same_queries_for_a_visitor_at_any_size(client, committed,
                                                                          django_assert_num_queries, n):
    with committed():
        _build(n)
    with django_assert_num_queries(SEARCH_ANONYMOUS):
        response = client.get(URL, {"q": "remittances"})
    assert len(hits(response)) == min(20, n + 1)


@pytest.mark.parametrize("n", [1, 50])
def test_the_search_page_needs_the_same_queries_signed_in_at_any_size(client, committed,
                                                                      django_assert_num_queries, n):
    with committed():
        _build(n)
    client.force_login(make_user())
    with django_assert_num_queries(SEARCH_SIGNED_IN):
        response = client.get(URL, {"q": "remittances", "kind": "comment"})
    assert len(hits(response)) == min(20, n)


def test_the_empty_search_page_needs_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(URL).status_code == 200


def test_more_hits_than_are_ranked_are_announced_as_more_than(client, committed, monkeypatch):
    from hub.search import backends

    monkeypatch.setattr(backends, "CANDIDATES", 3)
    with committed():
        discussion = make_discussion()
        for n in range(5):
            make_comment(discussion=discussion, body_text=f"Remittances, comment number {n}.")
    response = client.get(URL, {"q": "remittances", "kind": "comment"})
    html = response.content.decode()
    assert "More than 3 results for “remittances”: add words or filters to narrow them." in html
    assert len(hits(response)) >= 3
