"""discussions.rendering: each comment's cached fragment, its key, the thread's HTML and the reader's own links."""
import re

import pytest
from django.core.cache import cache
from django.template import loader
from django.utils import timezone, translation

from discussions import rendering, selectors
from discussions.models import Comment
from hub.models import StakeholderGroup
from tests.factories import (
    make_attachment,
    make_comment,
    make_discussion,
    make_organisation,
    make_priority,
    make_question,
    make_user,
    make_workplan,
)

pytestmark = pytest.mark.django_db


def entries_of(discussion, user=None):
    thread = selectors.comment_tree_for_discussion(discussion, user=user)
    return list(thread.entries())


def rendered(discussion, user=None):
    entries = entries_of(discussion, user)
    rendering.render_entries(entries, discussion=discussion)
    return {e.comment.pk: e for e in entries}


@pytest.fixture
def template_renders(monkeypatch):
    """How many fragments were rendered afresh (not taken from the cache)."""
    count = {"n": 0}
    real = loader.get_template

    class Counting:
        def __init__(self, template):
            self.template = template

        def render(self, context):
            count["n"] += 1
            return self.template.render(context)

    def get_template(name, *args, **kwargs):
        template = real(name, *args, **kwargs)
        return Counting(template) if name == rendering.FRAGMENT_TEMPLATE else template

    monkeypatch.setattr(rendering, "get_template", get_template)
    return count


def test_a_second_page_view_takes_every_fragment_from_the_cache(template_renders):
    discussion = make_discussion()
    for _ in range(3):
        make_comment(discussion=discussion)
    first = rendered(discussion)
    assert template_renders["n"] == 3
    second = rendered(discussion)
    assert template_renders["n"] == 3
    assert {pk: e.html for pk, e in first.items()} == {pk: e.html for pk, e in second.items()}


def test_a_changed_comment_gets_a_new_fragment_and_the_old_one_drops_out(template_renders):
    discussion = make_discussion()
    kept = make_comment(discussion=discussion, body="<p>Unchanged text.</p>")
    changed = make_comment(discussion=discussion, body="<p>First text.</p>")
    rendered(discussion)
    Comment.objects.filter(pk=changed.pk).update(body="<p>Second text.</p>")
    html = rendered(discussion)
    assert template_renders["n"] == 3  # only the changed comment was rendered again
    assert "Second text." in html[changed.pk].html and "First text." not in html[changed.pk].html
    assert "Unchanged text." in html[kept.pk].html
    # The discussion's one cache entry holds exactly the current fragments.
    key = rendering.thread_key(discussion.slug, translation.get_language(), timezone.get_current_timezone_name())
    stored = cache.get(key)
    assert sorted(stored.values()) == sorted(e.html for e in html.values())


def test_the_fragment_key_changes_with_what_the_fragment_shows():
    discussion = make_discussion()
    comment = make_comment(discussion=discussion)
    [entry] = entries_of(discussion)
    key = rendering._digest(entry, discussion, "en", "UTC")
    assert rendering._digest(entry, discussion, "en", "UTC") == key
    assert rendering._digest(entry, discussion, "fr", "UTC") != key
    assert rendering._digest(entry, discussion, "en", "Europe/Paris") != key
    for field, value in [("author_name", "Someone Else"), ("highlighted", True), ("edit_count", 2),
                         ("body", "<p>Another text.</p>")]:
        before = getattr(comment, field)
        setattr(entry.comment, field, value)
        assert rendering._digest(entry, discussion, "en", "UTC") != key, field
        setattr(entry.comment, field, before)


def test_fragments_are_kept_per_language():
    from datetime import datetime, timezone as dt_timezone

    discussion = make_discussion()
    comment = make_comment(discussion=discussion, created_at=datetime(2024, 1, 15, 10, tzinfo=dt_timezone.utc))
    with translation.override("fr"):
        french = rendered(discussion)[comment.pk].html
    english = rendered(discussion)[comment.pk].html
    assert "15 janvier 2024" in french and "January" not in french
    assert "15 January 2024" in english


def test_priority_mentions_in_a_comment_link_to_the_priority():
    workplan = make_workplan()
    priority = make_priority(workplan=workplan, kind="new", number=5)
    discussion = make_discussion(workplan=workplan)
    comment = make_comment(discussion=discussion, body="<p>We back <strong>New Priority 5</strong> fully.</p>")
    html = rendered(discussion)[comment.pk].html
    assert f'<a href="{priority.get_absolute_url()}"' in html
    assert ">New Priority 5</a>" in html


def test_without_a_workplan_the_body_is_only_cleaned():
    discussion = make_discussion()
    comment = make_comment(discussion=discussion, body="<p>New Priority 5 <em>matters</em>.</p>")
    assert str(rendering.body_html(comment, discussion)) == "<p>New Priority 5 <em>matters</em>.</p>"


def test_a_hidden_comment_shows_only_the_moderators_placeholder_and_reason():
    discussion = make_discussion()
    hidden = make_comment(discussion=discussion, status=Comment.Status.HIDDEN, hidden_reason="Insults a person",
                          body="<p>The offending words.</p>", author_organisation="Org of the hidden author")
    html = rendered(discussion)[hidden.pk].html
    assert "Hidden by the moderator: Insults a person" in html
    assert "offending" not in html and "Org of the hidden author" not in html


def test_an_unshown_parent_keeps_its_replies_readable_behind_a_placeholder():
    discussion = make_discussion()
    parent = make_comment(discussion=discussion, body="<p>Withdrawn words.</p>")
    reply = make_comment(parent=parent, body="<p>The reply stays.</p>")
    Comment.objects.filter(pk=parent.pk).update(status=Comment.Status.WITHDRAWN)
    html = rendered(discussion)
    assert "This comment is no longer shown; the replies to it are." in html[parent.pk].html
    assert "Withdrawn words." not in html[parent.pk].html
    assert "The reply stays." in html[reply.pk].html
    assert "In reply to an earlier comment" in html[reply.pk].html


def test_the_fragment_names_the_stakeholder_group_and_the_files():
    organisation = make_organisation(stakeholder_group=StakeholderGroup.TRADE_UNION)
    discussion = make_discussion()
    comment = make_comment(discussion=discussion, author=make_user(organisation=organisation))
    attachment = make_attachment(comment=comment, name="position.pdf")
    html = rendered(discussion)[comment.pk].html
    assert '<span class="comment-group">Trade union</span>' in html
    assert f'href="/discussions/files/{attachment.pk}/"' in html and "position.pdf" in html


def test_a_url_pattern_fills_in_each_primary_key():
    url = rendering.UrlPattern("discussions:comment-edit")
    assert url(7) == "/discussions/comments/7/edit/"
    assert url(12345) == "/discussions/comments/12345/edit/"


def links(discussion, user):
    entries = entries_of(discussion, user)
    rendering.add_reader_links(entries, discussion=discussion, user=user)
    return {e.comment.pk: e.urls for e in entries}


def test_each_reader_gets_the_links_the_permissions_allow():
    moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    question = make_question(discussion=discussion)
    author = make_user()
    comment = make_comment(question=question, author=author)
    reader = make_user()
    assert links(discussion, None) == {comment.pk: {}}
    assert set(links(discussion, author)[comment.pk]) == {"reply", "edit", "withdraw"}
    assert links(discussion, reader)[comment.pk] == {
        "reply": f"/discussions/{discussion.slug}/post/?parent={comment.pk}#answer",
        "flag": f"/discussions/moderation/comments/{comment.pk}/report/"}
    assert set(links(discussion, moderator)[comment.pk]) == {"reply", "flag", "moderate"}
    assert set(links(discussion, make_user(complete=False))[comment.pk]) == set()


def test_no_reply_link_under_a_locked_question_or_in_a_closed_discussion():
    discussion = make_discussion()
    question = make_question(discussion=discussion, locked=True)
    comment = make_comment(question=question)
    reader = make_user()
    assert "reply" not in links(discussion, reader)[comment.pk]
    question.locked = False
    question.save()
    assert "reply" in links(discussion, reader)[comment.pk]
    discussion.status = discussion.Status.CLOSED
    discussion.save()
    assert "reply" not in links(discussion, reader)[comment.pk]


def test_placeholders_carry_no_links():
    moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    hidden = make_comment(discussion=discussion, status=Comment.Status.HIDDEN)
    assert links(discussion, moderator)[hidden.pk] == {}


def test_the_thread_escapes_every_link_and_marks_the_readers_own_comments():
    discussion = make_discussion()
    author = make_user()
    own = make_comment(discussion=discussion, author=author)
    entries = entries_of(discussion, author)
    rendering.render_entries(entries, discussion=discussion)
    entries[0].urls = {"reply": '/x?a=1&b="2"', "unknown": "/never-shown/"}
    html = str(rendering.thread_html(entries))
    assert f'<li id="comment-{own.pk}" class="thread-item indent-0 own">' in html
    assert 'href="/x?a=1&amp;b=&quot;2&quot;"' in html
    assert "never-shown" not in html
    assert re.search(r'<div class="comment-actions"><a [^>]*>Reply</a></div>', html)


# --- Display copies: the mention-linked body stored with the comment ----------------------------------------------

@pytest.fixture
def mentioned(django_capture_on_commit_callbacks):
    from discussions.services import comment_post

    workplan = make_workplan()
    priority = make_priority(workplan=workplan, kind="new", number=5, title="Socio-economic integration")
    discussion = make_discussion(workplan=workplan)
    author = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_post(actor=author, discussion=discussion, body="<p>We back New Priority 5 fully.</p>")
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PUBLISHED)
    return discussion, priority, comment


def test_a_posted_comment_stores_its_linked_body_and_the_page_does_no_linking(mentioned, monkeypatch):
    from django.conf import settings

    from workplan import mentions

    discussion, priority, comment = mentioned
    comment.refresh_from_db()
    assert set(comment.body_display) == {code for code, _ in settings.LANGUAGES}
    assert priority.get_absolute_url() in comment.body_display["en"][1]

    def no_linking(*args, **kwargs):
        raise AssertionError("linked while rendering")

    monkeypatch.setattr(mentions, "link_priority_mentions", no_linking)
    html = rendered(discussion)[comment.pk].html
    assert f'<a href="{priority.get_absolute_url()}" class="priority-mention"' in html


def test_a_copy_made_from_another_body_is_never_shown(mentioned):
    discussion, priority, comment = mentioned
    Comment.objects.filter(pk=comment.pk).update(body="<p>Now about nothing in particular.</p>")
    html = rendered(discussion)[comment.pk].html
    assert "nothing in particular" in html and "New Priority 5" not in html


def test_renaming_a_priority_remakes_the_stored_copies_and_the_fragments(mentioned, django_capture_on_commit_callbacks):
    from hub.roles import SECRETARIAT
    from workplan.services import workplan_content_save

    discussion, priority, comment = mentioned
    assert "Socio-economic integration" in rendered(discussion)[comment.pk].html
    priority.title = "Inclusion of migrants"
    with django_capture_on_commit_callbacks(execute=True):
        workplan_content_save(actor=make_user(role=SECRETARIAT), instance=priority, changed=["title"])
    comment.refresh_from_db()
    assert "Inclusion of migrants" in comment.body_display["en"][1]
    discussion.refresh_from_db()
    html = rendered(discussion)[comment.pk].html
    assert "Inclusion of migrants" in html and "Socio-economic integration" not in html


def test_copies_are_kept_per_language():
    from workplan.mentions import link_priority_mentions

    workplan = make_workplan()
    make_priority(workplan=workplan, kind="new", number=5)
    discussion = make_discussion(workplan=workplan)
    copies = rendering.display_copies("<p>About New Priority 5.</p>", discussion)
    assert set(copies) == {"en", "fr", "es", "ar"}
    for language, (key, html) in copies.items():
        with translation.override(language):
            assert 'class="priority-mention"' in html
            assert html == str(link_priority_mentions("<p>About New Priority 5.</p>", discussion.workplan))
    assert rendering.display_copies("<p>No mention.</p>", discussion)["en"][1] is None  # the body itself
