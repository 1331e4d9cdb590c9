"""The visitors' page cache: whole public pages from the cache, never stale after a change, never for signed-in
people, and a cache that fails only means rendering."""
from __future__ import annotations

import pytest
from django.core.cache.backends.base import BaseCache
from django.test import Client, override_settings
from django.urls import reverse

from discussions import moderation as mod
from discussions.models import Comment
from discussions.secretariat import services as secretariat
from discussions.services import discussion_save
from hub.library import services as library
from hub.library.models import Resource, Review
from hub.roles import SECRETARIAT
from tests.factories import (make_comment, make_discussion, make_priority, make_question, make_user, make_workplan,
                             make_working_group)
from tests.library.factories import make_resource, make_review, make_roster_member
from workplan.services import workplan_content_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on(page_cache):
    return page_cache


@pytest.fixture
def moderator():
    return make_user(name="Mona Moderator")


@pytest.fixture
def secretariat_user():
    return make_user(name="Sam Secretariat", role=SECRETARIAT)


@pytest.fixture
def discussion(moderator):
    return make_discussion(moderators=[moderator], workplan=make_workplan())


def visit(url: str, **headers) -> str:
    """A visitor's request: a fresh client, no cookies."""
    response = Client().get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitor_gets_the_stored_page_without_touching_the_database(discussion, django_assert_num_queries):
    comment = make_comment(discussion=discussion, body="<p>Before the cache.</p>")
    url = discussion.get_absolute_url()
    first = Client().get(url)
    Comment.objects.filter(pk=comment.pk).update(body="<p>Changed behind the services' back.</p>")
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.content == first.content and "Before the cache." in second.content.decode()
    assert getattr(second, "hub_page_cache_hit", False)


def test_the_stored_page_keeps_its_headers(discussion):
    url = discussion.get_absolute_url()
    first = Client().get(url)
    second = Client().get(url)
    assert getattr(second, "hub_page_cache_hit", False)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Vary", "Permissions-Policy",
                   "Content-Type", "X-Content-Type-Options", "Referrer-Policy"):
        assert second.headers.get(header) == first.headers.get(header) and first.headers.get(header), header
    assert "Set-Cookie" not in second.headers


def test_pages_are_stored_per_language_and_query_string(discussion):
    url = discussion.get_absolute_url()
    english = visit(url)
    french = visit(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="fr"' in french and 'lang="en"' in english
    assert visit(url, HTTP_ACCEPT_LANGUAGE="fr") == french
    assert visit(url) == english
    Client().get(reverse("discussions:discussion-list"))
    response = Client().get(reverse("discussions:discussion-list") + "?x=1")
    assert not getattr(response, "hub_page_cache_hit", False)


def test_a_signed_in_reader_never_gets_the_stored_page_and_never_stores_one(discussion):
    url = discussion.get_absolute_url()
    assert "Rita Reader" not in visit(url)  # stored
    reader = Client()
    reader.force_login(make_user(name="Rita Reader"))
    response = reader.get(url)
    assert not getattr(response, "hub_page_cache_hit", False)
    assert "Rita Reader" in response.content.decode()
    # A signed-in render is never stored, even where no visitor's page is.
    listing = reverse("discussions:discussion-list")
    reader.get(listing)
    assert not getattr(Client().get(listing), "hub_page_cache_hit", False)
    assert "Rita Reader" not in visit(url) and "Rita Reader" not in visit(listing)


def test_a_request_with_a_session_cookie_is_answered_afresh(discussion):
    url = discussion.get_absolute_url()
    visit(url)
    client = Client()
    client.cookies["sessionid"] = "not-a-session"
    response = client.get(url)
    assert response.status_code == 200 and not getattr(response, "hub_page_cache_hit", False)


def test_responses_that_are_not_200_or_use_the_csrf_token_are_not_stored(discussion):
    missing = "/discussions/no-such-discussion/"
    assert Client().get(missing).status_code == 404
    assert not getattr(Client().get(missing), "hub_page_cache_hit", False)
    # The contact form holds a CSRF token: never shared.
    contact = reverse("hub:contact")
    Client().get(contact)
    assert not getattr(Client().get(contact), "hub_page_cache_hit", False)


def test_a_setting_of_zero_turns_the_cache_off(discussion, settings):
    settings.HUB_PAGE_CACHE_SECONDS = 0
    url = discussion.get_absolute_url()
    visit(url)
    assert not getattr(Client().get(url), "hub_page_cache_hit", False)


class BrokenCache(BaseCache):
    """A cache whose server is down: every call raises, as django's RedisCache does."""

    def __init__(self, location, params):
        super().__init__(params)

    def _fail(self, *args, **kwargs):
        raise ConnectionError("Redis is down")

    add = get = set = touch = delete = clear = get_many = set_many = delete_many = has_key = incr = _fail


def test_a_cache_that_fails_means_rendering_not_an_error(discussion, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, body="<p>Still shown.</p>")
    url = discussion.get_absolute_url()
    with override_settings(CACHES={"default": {"BACKEND": "tests.hub.test_pagecache.BrokenCache"}}):
        assert "Still shown." in visit(url)
        assert "Still shown." in visit(url)
        assert visit(reverse("discussions:discussion-list"))
        # A change still commits; its invalidation just has nowhere to go.
        with django_capture_on_commit_callbacks(execute=True):
            mod.comment_highlight(actor=discussion.moderators.get(), comment=comment)
        assert "Highlighted by the moderator" in visit(url)


# --- Every change a visitor could see makes the next visitor's page fresh ------------------------------------------

def changes(url: str, before: str, after: str, change, capture) -> None:
    """The visitor sees `before` (the page is stored), the change commits, the next visitor sees `after`."""
    page = visit(url)
    assert before in page and after not in page
    assert getattr(Client().get(url), "hub_page_cache_hit", False)
    with capture(execute=True):
        change()
    page = visit(url)
    assert after in page, f"{after!r} not on the page after the change"


def test_publishing_a_comment(discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, status="pending", body="<p>Awaiting the moderator.</p>")
    changes(discussion.get_absolute_url(), discussion.title, "Awaiting the moderator.",
            lambda: mod.comment_publish(actor=moderator, comment=comment), django_capture_on_commit_callbacks)


def test_a_moderator_editing_a_comment(discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, body="<p>Original wording.</p>")
    changes(discussion.get_absolute_url(), "Original wording.", "Corrected wording.",
            lambda: mod.comment_moderator_edit(actor=moderator, comment=comment, body="<p>Corrected wording.</p>",
                                               reason="Typo"), django_capture_on_commit_callbacks)


def test_an_author_editing_a_comment(discussion, django_capture_on_commit_callbacks):
    from discussions.services import comment_edit

    author = make_user()
    discussion.moderators.add(author)  # a moderator's own edit stays published
    comment = make_comment(discussion=discussion, author=author, body="<p>Original wording.</p>")
    url = discussion.get_absolute_url()
    visit(url)
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(actor=author, comment=comment, body="<p>My better wording.</p>")
    comment.refresh_from_db()
    page = visit(url)
    assert ("My better wording." in page) == (comment.status == Comment.Status.PUBLISHED)
    assert "Original wording." not in page


def test_hiding_a_comment(discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion, body="<p>Something rude.</p>")
    changes(discussion.get_absolute_url(), "Something rude.", "Hidden by the moderator",
            lambda: mod.comment_hide(actor=moderator, comment=comment, reason="Off topic"), django_capture_on_commit_callbacks)


def test_highlighting_a_comment(discussion, moderator, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion)
    changes(discussion.get_absolute_url(), discussion.title, "Highlighted by the moderator",
            lambda: mod.comment_highlight(actor=moderator, comment=comment), django_capture_on_commit_callbacks)


def test_locking_a_question(discussion, moderator, django_capture_on_commit_callbacks):
    question = make_question(discussion=discussion, text="Which priority areas matter to you?")
    changes(discussion.get_absolute_url(), question.text, "Locked: no new answers",
            lambda: mod.question_lock(actor=moderator, question=question), django_capture_on_commit_callbacks)


def test_closing_a_discussion(discussion, moderator, django_capture_on_commit_callbacks):
    changes(discussion.get_absolute_url(), discussion.title, "badge text-bg-danger\">Closed<",
            lambda: mod.discussion_close(actor=moderator, discussion=discussion),
            django_capture_on_commit_callbacks)


def test_a_new_question(discussion, moderator, django_capture_on_commit_callbacks):
    changes(discussion.get_absolute_url(), discussion.title, "What other priority areas should we consider?",
            lambda: mod.question_post(actor=moderator, discussion=discussion,
                                      text="What other priority areas should we consider?"),
            django_capture_on_commit_callbacks)


def test_a_response_of_the_secretariat_published(discussion, secretariat_user, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion)
    discussion.publish_responses = True
    discussion.save()
    changes(discussion.get_absolute_url(), discussion.title, "Reflected in the final workplan.",
            lambda: secretariat.disposition_record(actor=secretariat_user, comment=comment, outcome="taken_up",
                                                   rationale="Reflected in the final workplan."),
            django_capture_on_commit_callbacks)


def test_the_secretariat_publishing_its_responses(discussion, secretariat_user, django_capture_on_commit_callbacks):
    comment = make_comment(discussion=discussion)
    with django_capture_on_commit_callbacks(execute=True):
        secretariat.disposition_record(actor=secretariat_user, comment=comment, outcome="taken_up",
                                       rationale="Reflected in the final workplan.")
    changes(discussion.get_absolute_url(), discussion.title, "Reflected in the final workplan.",
            lambda: secretariat.discussion_set_publish_responses(actor=secretariat_user, discussion=discussion,
                                                                 publish=True),
            django_capture_on_commit_callbacks)


def test_changing_a_discussions_settings(discussion, secretariat_user, django_capture_on_commit_callbacks):
    def change():
        discussion.title = "Renamed consultation on the workplan"
        discussion_save(actor=secretariat_user, discussion=discussion, changed=["title"])

    for url in (discussion.get_absolute_url(), reverse("discussions:discussion-list")):
        visit(url)
    changes(discussion.get_absolute_url(), discussion.title, "Renamed consultation on the workplan", change,
            django_capture_on_commit_callbacks)
    assert "Renamed consultation on the workplan" in visit(reverse("discussions:discussion-list"))


def test_editing_the_workplan(discussion, secretariat_user, django_capture_on_commit_callbacks):
    workplan = discussion.workplan
    priority = make_priority(workplan=workplan, title="Alternatives to detention")
    group = make_working_group(workplan=workplan, priorities=[priority], name="Working group on detention")
    pages = [priority.get_absolute_url(), workplan.get_absolute_url(), group.get_absolute_url()]
    for url in pages:
        assert "Alternatives to detention" in visit(url)
        assert getattr(Client().get(url), "hub_page_cache_hit", False)

    def change():
        priority.title = "Community-based alternatives to detention"
        workplan_content_save(actor=secretariat_user, instance=priority, changed=["title"])

    with django_capture_on_commit_callbacks(execute=True):
        change()
    for url in pages:
        assert "Community-based alternatives to detention" in visit(url), url


def test_a_library_publication(secretariat_user, django_capture_on_commit_callbacks):
    resource = make_resource(status=Resource.Status.IN_REVIEW, title="Labour corridors in East Africa")
    for name in ("Richard Moreau", "Lotte Vermeulen"):
        make_review(resource=resource, reviewer=make_roster_member(user=make_user(name=name)),
                    status=Review.Status.SUBMITTED, no_conflict=True, recommendation="accept")
    changes(reverse("library:index"), "", "Labour corridors in East Africa",
            lambda: library.resource_decide(actor=secretariat_user, resource=resource, decision="publish"),
            django_capture_on_commit_callbacks)


def test_a_change_in_the_django_admin(discussion, django_capture_on_commit_callbacks):
    admin = make_user(is_staff=True, is_superuser=True)
    comment = make_comment(discussion=discussion, body="<p>Removed by an administrator.</p>")
    url = discussion.get_absolute_url()
    assert "Removed by an administrator." in visit(url)
    with django_capture_on_commit_callbacks(execute=True):
        from django.contrib.admin.models import DELETION, LogEntry

        Comment.objects.filter(pk=comment.pk).delete()
        LogEntry.objects.log_actions(user_id=admin.pk, queryset=[comment], action_flag=DELETION)
    assert "Removed by an administrator." not in visit(url)


# --- Signed-in pages: the reads kept under the generation are never stale for the reader ---------------------------

def test_a_signed_in_author_sees_their_new_pending_comment_at_once(discussion, django_capture_on_commit_callbacks):
    from discussions.services import comment_post

    author = make_user(name="Pat Poster")
    reader = Client()
    reader.force_login(author)
    url = discussion.get_absolute_url()
    reader.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(actor=author, discussion=discussion, body="<p>My fresh thoughts on the plan.</p>")
    page = reader.get(url).content.decode()
    assert "My fresh thoughts on the plan." in page and "Awaiting moderation" in page
    assert "My fresh thoughts on the plan." not in visit(url)


def test_following_shows_at_once_on_the_followers_page(discussion, django_capture_on_commit_callbacks):
    from discussions.services import discussion_follow

    user = make_user()
    reader = Client()
    reader.force_login(user)
    url = discussion.get_absolute_url()
    assert "Follow this discussion" in reader.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        discussion_follow(actor=user, discussion=discussion)
    assert "Stop following" in reader.get(url).content.decode()


def test_a_reader_made_moderator_in_the_admin_gets_the_moderation_links_at_once(
        discussion, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    from hub.roles import MODERATORS, ensure_roles

    comment = make_comment(discussion=discussion)
    user = make_user()
    reader = Client()
    reader.force_login(user)
    url = discussion.get_absolute_url()
    moderate = 'href="%s"' % reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})
    assert moderate not in reader.get(url).content.decode()
    ensure_roles()
    admin = make_user(is_staff=True, is_superuser=True)
    # What the admin's change form does: the groups change, then the change is logged .
    from django.contrib.admin.models import CHANGE, LogEntry

    user.groups.add(Group.objects.get(name=MODERATORS))
    with django_capture_on_commit_callbacks(execute=True):
        LogEntry.objects.log_actions(user_id=admin.pk, queryset=[user], action_flag=CHANGE)
    assert moderate in reader.get(url).content.decode()


def test_a_discussion_page_is_never_kept_past_its_closing_time(moderator, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from hub import pagecache

    discussion = make_discussion(moderators=[moderator], closes_at=timezone.now() + timedelta(seconds=30))
    kept = {}
    real = pagecache.PageCacheMiddleware._write

    def spy(self, key, generation, response, seconds):
        kept[response.status_code] = seconds
        return real(self, key, generation, response, seconds)

    monkeypatch.setattr(pagecache.PageCacheMiddleware, "_write", spy)
    visit(discussion.get_absolute_url())
    assert 1 <= kept[200] <= 31
    kept.clear()
    visit(reverse("discussions:discussion-list"))
    assert 1 <= kept[200] <= 31
