"""What the discussion list and the discussion page show."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from discussions import services
from discussions.models import Comment, Discussion, Disposition
from hub.models import Attribution
from tests.factories import (
    make_attachment, make_comment, make_discussion, make_organisation, make_priority, make_question, make_user,
    make_working_group, make_workplan,
)

pytestmark = pytest.mark.django_db

LONG_NAME = "Richard Francis Ellington-Moreau de la Fontaine"


def page_of(client, discussion) -> str:
    response = client.get(discussion.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def entry_html(page: str, comment) -> str:
    match = re.search(rf'<li id="comment-{comment.pk}".*?(?=<li id="comment-|</ol>)', page, re.S)
    assert match, f"comment {comment.pk} not on the page"
    return match.group(0)


def test_the_list_shows_open_discussions_first_with_their_counts(client):
    closed = make_discussion(title="Closed consultation", status=Discussion.Status.CLOSED,
                             opens_at=timezone.now() - timedelta(days=3))
    open_one = make_discussion(title="Open consultation", opens_at=timezone.now() - timedelta(days=30))
    make_question(discussion=open_one)
    make_question(discussion=open_one)
    make_comment(discussion=open_one)
    make_comment(discussion=open_one, status="pending")
    make_discussion(title="Secret draft", status=Discussion.Status.DRAFT)
    page = client.get(reverse("discussions:discussion-list")).content.decode()
    assert page.index("Open consultation") < page.index("Closed consultation")
    assert "Secret draft" not in page
    assert "2 questions" in page and "1 published comment" in page


def test_a_discussion_past_its_closing_time_is_listed_as_closed(client):
    make_discussion(title="Ran out", closes_at=timezone.now() - timedelta(hours=1))
    page = client.get(reverse("discussions:discussion-list")).content.decode()
    assert page.index("Closed and archived") < page.index("Ran out")


def test_the_header_names_moderators_audience_languages_timeline_and_invites_visitors_to_log_in(client):
    moderator = make_user(name="Sofia Marquez-Villanueva")
    discussion = make_discussion(moderators=[moderator], languages=["English", "French"],
                                 help_url="https://example.org/help", contact_email="mod@example.org")
    discussion.milestones.create(date=timezone.now().date(), label="Discussed at the annual meeting")
    page = page_of(client, discussion)
    for text in ["Sofia Marquez-Villanueva", "All network members, stakeholders and Member States", "English, French",
                 "Discussed at the annual meeting", "https://example.org/help", "mailto:mod@example.org",
                 "Sign in to post a comment", "Open for comments"]:
        assert text in page


def test_each_comment_shows_its_full_attribution_and_own_date(client):
    organisation = make_organisation(name="International Organization for Migration", network_member=True,
                                     badge="UN Network", stakeholder_group="un_entity")
    author = make_user(name=LONG_NAME, organisation=organisation)
    comment = make_comment(question=make_question(), author=author)
    html = entry_html(page_of(client, comment.discussion), comment)
    assert LONG_NAME in html
    assert "International Organization for Migration" in html and "UN Network" in html and "UN entity" in html
    assert f'<time datetime="{timezone.localtime(comment.created_at).isoformat()}' in html or "<time datetime=" in html
    assert f'href="#comment-{comment.pk}"' in html


def test_an_organisation_only_attribution_shows_no_personal_name(client):
    organisation = make_organisation(name="Global Union of Care Workers")
    author = make_user(name="Lotte Vermeulen", organisation=organisation, attribution=Attribution.ORGANISATION)
    comment = make_comment(question=make_question(), author=author)
    html = entry_html(page_of(client, comment.discussion), comment)
    assert "Global Union of Care Workers" in html and "Lotte Vermeulen" not in html


def test_replies_say_whom_they_answer_and_indent_up_to_three_levels_then_stay_flat(client):
    question = make_question()
    chain = [make_comment(question=question, author=make_user(name="Person Zero"))]
    for level in range(1, 6):
        chain.append(make_comment(parent=chain[-1], author=make_user(name=f"Person {level}")))
    page = page_of(client, question.discussion)
    indents = [re.search(r'class="thread-item indent-(\d)', entry_html(page, c)).group(1) for c in chain]
    assert indents == ["0", "1", "2", "3", "3", "3"]
    html = entry_html(page, chain[4])
    assert f'In reply to <a href="#comment-{chain[3].pk}">Person 3</a>' in html
    positions = [page.index(f'id="comment-{c.pk}"') for c in chain]
    assert positions == sorted(positions)


def test_chips_link_to_the_priorities_and_working_groups_a_comment_names(client):
    workplan = make_workplan(slug="wp-2022")
    priority = make_priority(workplan=workplan, kind="ongoing", number=3, title="Alternatives to immigration detention")
    group = make_working_group(workplan=workplan, name="Working group on detention")
    comment = make_comment(question=make_question(discussion=make_discussion(workplan=workplan)),
                           priorities=[priority], working_groups=[group],
                           body="<p>We support Ongoing Priority 3.</p>")
    html = entry_html(page_of(client, comment.discussion), comment)
    assert f'href="{priority.get_absolute_url()}"' in html and "OP3" in html
    assert f'href="{group.get_absolute_url()}"' in html
    assert 'class="priority-mention"' in html  # the mention in the text is a link too


def test_attachments_show_name_type_size_and_a_download_link(client):
    comment = make_comment(question=make_question())
    attachment = make_attachment(comment=comment, name="Full comments.pdf")
    html = entry_html(page_of(client, comment.discussion), comment)
    assert "Full comments.pdf" in html and "PDF" in html and "bytes" in html
    assert f'href="{reverse("discussions:attachment-download", args=[attachment.pk])}"' in html


def test_an_edited_comment_is_marked_and_the_page_shows_the_new_text(client):
    author = make_user()
    comment = make_comment(discussion=make_discussion(moderation="post"), author=author, body="<p>First text.</p>")
    assert "First text." in page_of(client, comment.discussion)  # cached fragment now exists
    services.comment_edit(actor=author, comment=comment, body="<p>Second text.</p>")
    page = page_of(client, comment.discussion)
    assert "Second text." in page and "First text." not in page
    assert "edited" in entry_html(page, comment)


def test_a_hidden_comment_is_a_placeholder_with_the_reason_so_replies_make_sense(client):
    hidden = make_comment(question=make_question(), status="hidden", hidden_reason="Personal data",
                          body="<p>Secret words.</p>")
    reply = make_comment(parent=hidden)
    page = page_of(client, hidden.discussion)
    assert "Hidden by the moderator: Personal data" in entry_html(page, hidden)
    assert "Secret words." not in page
    assert f'href="#comment-{hidden.pk}"' in entry_html(page, reply)


def test_a_withdrawn_comment_with_replies_leaves_a_placeholder_and_without_replies_leaves_nothing(client):
    question = make_question()
    withdrawn = make_comment(question=question, status="withdrawn", body="<p>Gone text.</p>")
    make_comment(parent=withdrawn)
    lonely = make_comment(question=question, status="withdrawn")
    page = page_of(client, question.discussion)
    assert "no longer shown" in entry_html(page, withdrawn) and "Gone text." not in page
    assert f'id="comment-{lonely.pk}"' not in page


def test_highlighted_answers_come_first_under_their_question_with_a_label(client):
    question = make_question()
    first = make_comment(question=question)
    featured = make_comment(question=question, highlighted=True)
    page = page_of(client, question.discussion)
    assert page.index(f'id="comment-{featured.pk}"') < page.index(f'id="comment-{first.pk}"')
    assert "Highlighted by the moderator" in entry_html(page, featured)


def test_the_secretariats_response_shows_only_when_the_discussion_publishes_responses(client):
    comment = make_comment(question=make_question())
    Disposition.objects.create(comment=comment, outcome=Disposition.Outcome.TAKEN_UP, rationale="Added to OP3.")
    assert "Added to OP3." not in page_of(client, comment.discussion)
    Discussion.objects.filter(pk=comment.discussion.pk).update(publish_responses=True)
    comment.discussion.refresh_from_db()
    html = entry_html(page_of(client, comment.discussion), comment)
    assert "Taken up" in html and "Added to OP3." in html


def test_general_comments_have_their_own_section(client):
    discussion = make_discussion()
    make_question(discussion=discussion)
    general = make_comment(discussion=discussion, body="<p>On the whole process.</p>")
    page = page_of(client, discussion)
    assert page.index("General comments") < page.index(f'id="comment-{general.pk}"')


def test_signed_in_readers_get_report_and_reply_links_and_moderators_a_moderate_link(client):
    comment = make_comment(question=make_question())
    page = page_of(client, comment.discussion)
    assert "Report" not in entry_html(page, comment) and "Reply" not in entry_html(page, comment)
    client.force_login(make_user())
    html = entry_html(page_of(client, comment.discussion), comment)
    assert "Reply" in html and "Report" in html and "Moderate" not in html
    moderator = make_user()
    comment.discussion.moderators.add(moderator)
    client.force_login(moderator)
    assert "Moderate" in entry_html(page_of(client, comment.discussion), comment)


def test_a_closed_discussion_page_says_it_is_closed_and_offers_no_posting(client):
    comment = make_comment(discussion=make_discussion(status=Discussion.Status.CLOSED))
    client.force_login(make_user())
    page = page_of(client, comment.discussion)
    assert "This discussion is closed" in page and "Answer this question" not in page
    assert ">Reply<" not in page


def test_a_comment_permalink_leads_to_its_place_on_the_page(client):
    comment = make_comment()
    response = client.get(reverse("discussions:comment-detail", args=[comment.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")


def test_the_feedback_provider_counts_and_lists_published_comments_per_priority():
    from workplan import feedback

    priority = make_priority()
    other = make_priority(workplan=priority.workplan)
    published = make_comment(priorities=[priority])
    make_comment(priorities=[priority], status="pending")
    make_comment(priorities=[priority, other])
    assert feedback.published_counts([priority.pk, other.pk]) == {priority.pk: 2, other.pk: 1}
    provider = feedback.provider()
    assert published in list(provider.published_feedback(priority))
    assert provider.item_template == "discussions/_feedback_item.html"


def test_load_demo_adds_the_reference_like_discussion_once(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    discussion = Discussion.objects.get(slug="draft-network-workplan-2022-2024")
    assert discussion.questions.count() == 3
    comments = discussion.comments.all()
    assert 20 <= comments.count() <= 30
    assert comments.filter(status="pending").exists() and comments.filter(question=None, parent=None).exists()
    assert comments.filter(attachments__isnull=False).count() == 1
    assert comments.filter(show_personal_name=False).exists()
