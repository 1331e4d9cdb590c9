"""Moderation pages: what they show, filters, and query counts pinned at 1 and 50 items."""
import pytest
from django.urls import reverse

from discussions import moderation as mod
from discussions.models import Comment
from hub.models import StakeholderGroup
from tests.factories import (make_attachment, make_comment, make_discussion, make_established_user, make_organisation,
                             make_priority, make_question, make_user, make_workplan)

pytestmark = pytest.mark.django_db

QUEUE = reverse("discussions:moderation-queue")
AUDIT = reverse("discussions:moderation-audit")
DASHBOARD = reverse("discussions:moderation-dashboard")


@pytest.fixture
def setup():
    moderator = make_user(name="Mona Moderator")
    workplan = make_workplan()
    discussion = make_discussion(workplan=workplan, moderators=[moderator])
    question = make_question(discussion=discussion)
    priority = make_priority(workplan=workplan)
    return moderator, discussion, question, priority


def fill_queue(discussion, question, priority, n):
    """n waiting items, each with an author with history, a parent, tags, a file and (every other one) a report."""
    parent = make_comment(discussion=discussion, question=question)
    for i in range(n):
        author = make_user()
        make_comment(discussion=discussion, author=author, status="declined")
        comment = make_comment(discussion=discussion, parent=parent, author=author, status="pending",
                               priorities=[priority])
        make_attachment(comment=comment)
        if i % 2:
            reported = make_comment(discussion=discussion, question=question)
            mod.comment_flag(actor=make_user(), comment=reported, reason="spam", details="Advert")


@pytest.mark.parametrize("n", [1, 50])
def test_the_queue_of_a_site_moderator_runs_a_fixed_number_of_queries(client, setup, django_assert_num_queries, n):
    moderator, discussion, question, priority = setup
    fill_queue(discussion, question, priority, n)
    site = make_user(role="Moderators")
    client.force_login(site)
    client.get(QUEUE)
    with django_assert_num_queries(17):
        response = client.get(QUEUE)
    assert len(response.context["items"]) == min(n + n // 2, 50)


@pytest.mark.parametrize("n", [1, 50])
def test_the_queue_runs_a_fixed_number_of_queries(client, setup, django_assert_num_queries, n):
    moderator, discussion, question, priority = setup
    fill_queue(discussion, question, priority, n)
    client.force_login(moderator)
    client.get(QUEUE)  # warm the content-type cache
    with django_assert_num_queries(18):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert len(response.context["items"]) == min(n + n // 2, 50)


@pytest.mark.parametrize("n", [1, 50])
def test_the_audit_list_of_a_site_moderator_runs_a_fixed_number_of_queries(client, setup, django_assert_num_queries, n):
    moderator, discussion, question, priority = setup
    site = make_user(role="Moderators")
    for _ in range(n):
        comment = make_comment(discussion=discussion, status="pending")
        mod.comment_publish(actor=moderator, comment=comment)
    client.force_login(site)
    client.get(AUDIT)
    with django_assert_num_queries(9):
        response = client.get(AUDIT)
    assert len(response.context["entries"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_the_audit_list_of_a_per_discussion_moderator_runs_a_fixed_number_of_queries(
        client, setup, django_assert_num_queries, n):
    moderator, discussion, question, priority = setup
    site = make_user(role="Moderators")
    for _ in range(n):
        mod.comment_publish(actor=site, comment=make_comment(discussion=discussion, status="pending"))
        mod.comment_publish(actor=site, comment=make_comment(status="pending"))  # another discussion: not shown
    client.force_login(moderator)
    client.get(AUDIT)
    with django_assert_num_queries(10):
        response = client.get(AUDIT)
    assert len(response.context["entries"]) == n


def test_the_queue_shows_everything_a_decision_needs(client, setup):
    moderator, discussion, question, priority = setup
    parent = make_comment(discussion=discussion, question=question, body_text="The parent's argument")
    author = make_user(name="Richard Francis Ellington-Moreau",
                       organisation=make_organisation(name="Centre for Mobility Research"))
    make_comment(discussion=discussion, author=author, status="published")
    make_comment(discussion=discussion, author=author, status="declined")
    comment = make_comment(discussion=discussion, parent=parent, author=author, status="pending",
                           body="<p>Full <strong>text</strong> of the comment</p>", priorities=[priority])
    make_attachment(comment=comment, name="position-paper.pdf")
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()
    assert "Richard Francis Ellington-Moreau" in html
    assert "Centre for Mobility Research" in html
    assert "Full <strong>text</strong> of the comment" in html
    assert "position-paper.pdf" in html
    assert "The parent&#x27;s argument" in html
    assert question.text in html
    assert "1 published, 1 declined" in html
    assert priority.code in html
    assert "1 comment awaits review" in html


def test_the_queue_is_oldest_first_and_filters(client, setup):
    moderator, discussion, question, priority = setup
    union = make_organisation(stakeholder_group=StakeholderGroup.TRADE_UNION)
    first = make_comment(discussion=discussion, question=question, status="pending")
    second = make_comment(discussion=discussion, status="pending", author=make_user(organisation=union),
                          priorities=[priority])
    reported = make_comment(discussion=discussion)
    mod.comment_flag(actor=make_user(), comment=reported, reason="spam")
    elsewhere = make_comment(status="pending")  # a discussion this moderator does not moderate
    client.force_login(moderator)

    def ids(query=""):
        return [c.pk for c in client.get(QUEUE + query).context["items"]]

    assert ids() == [first.pk, second.pk, reported.pk]
    assert elsewhere.pk not in ids()
    assert ids(f"?question={question.pk}") == [first.pk]
    assert ids(f"?priority={priority.pk}") == [second.pk]
    assert ids(f"?organisation={union.pk}") == [second.pk]
    assert ids("?stakeholder_group=trade_union") == [second.pk]
    assert ids("?flagged=on") == [reported.pk]
    assert ids(f"?discussion={discussion.pk}") == [first.pk, second.pk, reported.pk]


def test_the_queue_publishes_and_declines_in_bulk(client, setup):
    moderator, discussion, *_ = setup
    a, b, c = (make_comment(discussion=discussion, status="pending") for _ in range(3))
    client.force_login(moderator)
    client.post(reverse("discussions:moderation-bulk"), {"action": "publish", "comments": [a.pk, b.pk], "confirm": "1"})
    response = client.post(reverse("discussions:moderation-bulk"), {"action": "decline", "comments": [c.pk]},
                           follow=True)
    assert "Give a reason" in response.content.decode()
    client.post(reverse("discussions:moderation-bulk"),
                {"action": "decline", "comments": [c.pk], "standard_reason": "duplicate", "confirm": "1"})
    assert dict(Comment.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("pk", "status")) == {
        a.pk: "published", b.pk: "published", c.pk: "declined"}


def test_the_comment_page_shows_notes_reports_and_history_links_to_moderators_only(client, setup):
    moderator, discussion, *_ = setup
    comment = make_comment(discussion=discussion)
    mod.moderator_note_add(actor=moderator, comment=comment, body="Secret note for moderators")
    client.force_login(moderator)
    html = client.get(reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})).content.decode()
    assert "Secret note for moderators" in html
    client.force_login(comment.author)
    page = client.get(comment.get_absolute_url()).content.decode()
    assert "Secret note for moderators" not in page


def test_the_history_page_lists_every_version(client, setup):
    moderator, discussion, *_ = setup
    comment = make_comment(discussion=discussion, body="<p>Version one</p>")
    mod.comment_moderator_edit(actor=moderator, comment=comment, body="<p>Version two</p>", reason="Typo")
    mod.comment_moderator_edit(actor=moderator, comment=comment, body="<p>Version three</p>", reason="Link removed")
    client.force_login(moderator)
    html = client.get(reverse("discussions:moderation-history", kwargs={"pk": comment.pk})).content.decode()
    assert html.index("Version three") < html.index("Version two") < html.index("Version one")
    assert "Typo" in html and "Link removed" in html


def test_the_audit_list_filters_by_action_actor_and_comment(client, setup):
    moderator, discussion, *_ = setup
    one = make_comment(discussion=discussion, status="pending")
    two = make_comment(discussion=discussion)
    mod.comment_publish(actor=moderator, comment=one)
    mod.comment_hide(actor=moderator, comment=two, reason="Spam")
    client.force_login(moderator)

    def actions(query):
        return [d.entry.action for d in client.get(AUDIT + query).context["entries"]]

    assert actions("") == ["comment.hide", "comment.publish"]
    assert actions("?action=comment.hide") == ["comment.hide"]
    assert actions(f"?comment={one.pk}") == ["comment.publish"]
    assert actions("?actor=mona") == ["comment.hide", "comment.publish"]
    assert actions("?actor=nobody") == []
    html = client.get(reverse("discussions:moderation-comment-audit", kwargs={"pk": two.pk})).content.decode()
    assert "comment.hide" in html and "Spam" in html


@pytest.mark.parametrize("n", [1, 50])
def test_the_dashboard_runs_a_fixed_number_of_queries(client, setup, django_assert_num_queries, n):
    moderator, discussion, question, priority = setup
    second = make_discussion(moderators=[moderator])
    fill_queue(discussion, question, priority, n)
    for _ in range(n):
        make_comment(discussion=second, status="pending")
        mod.comment_publish(actor=moderator, comment=make_comment(discussion=discussion, status="pending"))
        mod.comment_decline(actor=moderator, comment=make_comment(discussion=second, status="pending"),
                            standard_reason="duplicate")
        make_comment(status="pending")  # another moderator's discussion: not counted
    client.force_login(moderator)
    client.get(DASHBOARD)  # warm the content-type cache
    # session, user, two of permissions, moderated discussions, groups; the counts per discussion, the oldest
    # waiting comment, the waits before a decision, the moderated discussions; the menu's profile
    with django_assert_num_queries(11):
        response = client.get(DASHBOARD)
    board = response.context["dashboard"]
    assert board.pending == 2 * n and board.decisions == 2 * n
    assert len(board.rows) == 2


def test_the_dashboard_shows_queue_size_oldest_item_and_median_time(client, setup):
    moderator, discussion, *_ = setup
    from datetime import timedelta

    from django.utils import timezone

    old = make_comment(discussion=discussion, status="pending", created_at=timezone.now() - timedelta(hours=5))
    make_comment(discussion=discussion, status="pending")
    decided = make_comment(discussion=discussion, status="pending", created_at=timezone.now() - timedelta(minutes=30))
    mod.comment_publish(actor=moderator, comment=decided)
    client.force_login(moderator)
    response = client.get(reverse("discussions:moderation-dashboard"))
    board = response.context["dashboard"]
    assert board.pending == 2 and board.oldest == old
    assert 1790 <= board.median_seconds <= 1810
    assert board.rows[0]["pending"] == 2
    assert "30 minutes" in response.content.decode()


def test_a_reader_reports_a_comment_through_the_form(client, setup):
    moderator, discussion, *_ = setup
    comment = make_comment(discussion=discussion)
    reader = make_user()
    client.force_login(reader)
    url = reverse("discussions:comment-flag", kwargs={"pk": comment.pk})
    assert client.post(url, {"reason": "other"}).status_code == 400  # "other" needs details
    response = client.post(url, {"reason": "offensive", "details": "Insults a delegation"})
    assert response.status_code == 302
    assert comment.flags.get().details == "Insults a delegation"


def moderate_url(comment):
    return reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})


@pytest.fixture
def author_in_two_discussions(setup):
    """An author with a pending comment in the moderator's discussion A and pending, hidden, declined and published
    comments in a discussion B that someone else moderates."""
    moderator, discussion, question, priority = setup
    author = make_user()
    elsewhere = make_discussion(moderators=[make_user()])
    def text(words):
        return {"body": f"<p>{words}</p>", "body_text": words}

    target = make_comment(discussion=discussion, author=author, status="pending", **text("Pending in A"))
    make_comment(discussion=discussion, author=author, status="published", **text("Published in A"))
    for status in ("pending", "hidden", "declined", "published"):
        make_comment(discussion=elsewhere, author=author, status=status, **text(f"Secret {status} in B"))
    return moderator, target


def test_the_comment_page_shows_the_authors_other_comments_only_in_discussions_the_moderator_moderates(
        client, author_in_two_discussions):
    moderator, target = author_in_two_discussions
    client.force_login(moderator)
    html = client.get(moderate_url(target)).content.decode()
    assert "Published in A" in html
    assert "in B" not in html
    assert "Author's history in the discussions you moderate: 1 published, 0 declined." in html


def test_a_site_moderator_sees_the_authors_comments_everywhere(client, author_in_two_discussions):
    _, target = author_in_two_discussions
    client.force_login(make_user(role="Moderators"))
    html = client.get(moderate_url(target)).content.decode()
    assert "Published in A" in html and "Secret pending in B" in html and "Secret declined in B" in html
    assert "2 published, 1 declined." in html


def test_the_queue_counts_the_authors_history_only_in_discussions_the_moderator_moderates(
        client, author_in_two_discussions):
    moderator, target = author_in_two_discussions
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()
    assert "Pending in A" in html and "in B" not in html
    assert "1 published, 0 declined." in html


@pytest.mark.parametrize("n", [1, 50])
def test_the_comment_page_runs_a_fixed_number_of_queries(client, setup, django_assert_num_queries, n):
    moderator, discussion, question, priority = setup
    author = make_user()
    elsewhere = make_discussion()
    target = make_comment(discussion=discussion, question=question, author=author, status="pending",
                          priorities=[priority])
    make_attachment(comment=target)
    for _ in range(n):
        make_comment(discussion=discussion, author=author)
        make_comment(discussion=elsewhere, author=author, status="pending")
        mod.moderator_note_add(actor=moderator, comment=target, body="A note")
    client.force_login(moderator)
    client.get(moderate_url(target))  # warm the content-type cache
    # session, user, groups, two of permissions, moderated discussions; the comment, its files, priorities, groups,
    # reports, notes, versions, audit entries, the author's other comments; the menu's profile; the retag choices
    with django_assert_num_queries(18):
        response = client.get(moderate_url(target))
    assert len(response.context["author_recent"]) == min(n, 10)


def test_a_reader_without_a_complete_profile_is_told_to_complete_it_before_reporting(client, setup):
    moderator, discussion, *_ = setup
    comment = make_comment(discussion=discussion)
    client.force_login(make_user(complete=False))
    url = reverse("discussions:comment-flag", kwargs={"pk": comment.pk})
    page = client.get(url)
    assert page.status_code == 403
    html = page.content.decode()
    assert "Complete your profile (name and organisation) before taking part." in html
    assert reverse("hub:profile") in html and "Send the report" not in html
    assert client.post(url, {"reason": "spam"}).status_code == 403
    assert not comment.flags.exists()


def test_the_report_form_refuses_a_report_past_the_rate_limit_and_keeps_what_was_typed(client, setup, settings):
    moderator, discussion, *_ = setup
    settings.HUB_FLAG_RATE_LIMIT = "2/h"
    comments = [make_comment(discussion=discussion) for _ in range(3)]
    client.force_login(make_user())
    for comment in comments[:2]:
        response = client.post(reverse("discussions:comment-flag", kwargs={"pk": comment.pk}), {"reason": "spam"})
        assert response.status_code == 302
    response = client.post(reverse("discussions:comment-flag", kwargs={"pk": comments[2].pk}),
                           {"reason": "other", "details": "Copies a private e-mail"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "You have sent many reports in a short time." in html
    assert "Copies a private e-mail" in html
    assert not comments[2].flags.exists()


def test_the_queue_shows_reports_from_new_accounts_marked_as_such(client, setup):
    moderator, discussion, *_ = setup
    reported = make_comment(discussion=discussion, body="<p>Reported words</p>")
    mod.comment_flag(actor=make_user(name="Fresh Reporter"), comment=reported, reason="spam", details="Fresh says")
    mod.comment_flag(actor=make_established_user(name="Known Reporter"), comment=reported, reason="spam",
                     details="Known says")
    client.force_login(moderator)
    for url in (QUEUE, moderate_url(reported)):
        html = client.get(url).content.decode()
        assert "Reported 2 times" in html
        fresh = html[html.index("Fresh says"):]
        known = html[html.index("Known says"):]
        assert "from a new account" in fresh[:fresh.index("</li>")]
        assert "from a new account" not in known[:known.index("</li>")]


def test_a_bulk_decision_naming_an_id_too_large_for_the_database_changes_nothing_and_says_why(client, setup):
    moderator, discussion, *_ = setup
    pending = make_comment(discussion=discussion, status="pending")
    client.force_login(moderator)
    response = client.post(reverse("discussions:moderation-bulk"),
                           {"action": "publish", "comments": [pending.pk, "9" * 30]}, follow=True)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"
