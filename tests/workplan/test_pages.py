"""The public pages: overview, priority, working group (with the interest form), and their query counts."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hub.models import ContactMessage
from tests.factories import make_organisation, make_priority, make_user, make_working_group, make_workplan
from tests.workplan.conftest import add_feedback
from workplan.models import GcmObjective, InterestExpression

pytestmark = pytest.mark.django_db


def _workplan_with_priorities(n: int):
    workplan = make_workplan(summary="<p>The <strong>plan</strong>.</p>")
    priorities = [make_priority(workplan=workplan, kind="new" if i % 2 else "ongoing", number=i // 2 + 1)
                  for i in range(n)]
    objectives = list(GcmObjective.objects.all()[:3])
    for priority in priorities:
        priority.gcm_objectives.set(objectives)
        add_feedback(priority, 2)
    lead = make_organisation()
    make_working_group(workplan=workplan, priorities=priorities, co_leads=[lead])
    make_working_group(workplan=workplan, priorities=priorities[:1], co_leads=[lead, make_organisation()])
    return workplan, priorities


def test_the_index_lists_workplans(client):
    workplan = make_workplan(title="Network Workplan 2022-2024")
    response = client.get(reverse("workplan:index"))
    assert response.status_code == 200
    assert workplan.get_absolute_url() in response.content.decode()


def test_the_overview_groups_priorities_with_groups_and_comment_counts(client, fake_feedback_provider):
    workplan = make_workplan(title="Plan", summary="<p>Summary text</p>")
    np5 = make_priority(workplan=workplan, kind="new", number=5, title="Integration")
    op3 = make_priority(workplan=workplan, kind="ongoing", number=3, title="Alternatives to detention")
    make_priority(workplan=workplan, kind="ongoing", number=4, title="Hidden one", active=False)
    make_working_group(workplan=workplan, name="Detention group", priorities=[op3])
    add_feedback(op3, 3)
    html = client.get(workplan.get_absolute_url()).content.decode()
    assert "Summary text" in html and "2022 to 2024" in html
    assert html.index("New priorities") < html.index("Integration") < html.index("Ongoing priorities") < html.index("Alternatives to detention")
    assert "Hidden one" not in html
    assert "3 comments" in html and "0 comments" in html
    assert "Detention group" in html
    assert np5.get_absolute_url() in html


def test_the_overview_works_without_a_feedback_provider(client, no_feedback_provider):
    workplan, _ = _workplan_with_priorities(2)
    response = client.get(workplan.get_absolute_url())
    assert response.status_code == 200
    assert "0 comments" in response.content.decode()


@pytest.mark.parametrize("size", [1, 15])
def test_the_overview_takes_a_fixed_number_of_queries(client, fake_feedback_provider, django_assert_num_queries, size):
    workplan, _ = _workplan_with_priorities(size)
    # workplan, working groups, their co-leads, priorities, their groups, the fake provider's 2 count queries
    with django_assert_num_queries(7):
        response = client.get(workplan.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 15])
def test_the_overview_without_provider_takes_a_fixed_number_of_queries(client, no_feedback_provider,
                                                                       django_assert_num_queries, size):
    workplan, _ = _workplan_with_priorities(size)
    with django_assert_num_queries(5):
        client.get(workplan.get_absolute_url())


def test_the_priority_page_shows_objectives_groups_and_newest_feedback_first(client, fake_feedback_provider):
    workplan, [priority] = _workplan_with_priorities(1)
    priority.pd_references = "PD 51, 59"
    priority.save()
    add_feedback(priority, 1, text="Newest words")
    html = client.get(priority.get_absolute_url()).content.decode()
    assert "Objective 1</strong>: Collect and utilize accurate" in html
    assert "PD 51, 59" in html
    assert "3 published comments" in html
    assert html.index("Newest words") < html.index("Feedback 0")
    assert 'class="fake-feedback"' in html


def test_the_priority_page_paginates_feedback(client, fake_feedback_provider):
    workplan, [priority] = _workplan_with_priorities(1)
    add_feedback(priority, 30)
    first = client.get(priority.get_absolute_url()).content.decode()
    second = client.get(priority.get_absolute_url() + "?page=2").content.decode()
    assert first.count('class="fake-feedback"') == 20
    assert second.count('class="fake-feedback"') == 12
    assert "Page 2 of 2" in second


def test_the_priority_page_without_a_provider_has_no_feedback(client, no_feedback_provider):
    workplan, [priority] = _workplan_with_priorities(1)
    response = client.get(priority.get_absolute_url())
    assert response.status_code == 200
    assert "Feedback from the consultation will appear here." in response.content.decode()


@pytest.mark.parametrize("size", [1, 30])
def test_the_priority_page_takes_a_fixed_number_of_queries(client, fake_feedback_provider, django_assert_num_queries,
                                                           size):
    workplan, [priority] = _workplan_with_priorities(1)
    ContactMessage.objects.all().delete()
    add_feedback(priority, size)
    # priority with workplan, its objectives, its groups, the feedback count, the feedback page, and the first
    # library resources on the priority (one query, from the library's resource provider)
    with django_assert_num_queries(6):
        response = client.get(priority.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("code", ["np9", "xx1", "np", "op1a", "OP1"])
def test_unknown_or_inactive_priorities_answer_404(client, code):
    workplan = make_workplan()
    make_priority(workplan=workplan, kind="ongoing", number=1, active=False)
    assert client.get(f"/workplan/{workplan.slug}/priorities/{code}/").status_code == 404


def test_priority_codes_are_case_insensitive(client):
    priority = make_priority(kind="new", number=5)
    assert client.get(f"/workplan/{priority.workplan.slug}/priorities/NP5/").status_code == 200


def test_the_working_group_page_shows_priorities_co_leads_and_members(client):
    priority = make_priority(kind="ongoing", number=3, title="Alternatives")
    group = make_working_group(workplan=priority.workplan, priorities=[priority],
                               co_leads=[make_organisation(name="Lead Org")],
                               members=[make_organisation(name="Member Org")], description="<p>We meet monthly.</p>")
    html = client.get(group.get_absolute_url()).content.decode()
    for text in ["We meet monthly.", "OP3", "Alternatives", "Lead Org", "Member Org", "Sign in"]:
        assert text in html


@pytest.mark.parametrize("members", [1, 20])
def test_the_working_group_page_takes_a_fixed_number_of_queries(client, django_assert_num_queries, members):
    workplan = make_workplan()
    priorities = [make_priority(workplan=workplan, number=i + 1) for i in range(members)]
    group = make_working_group(workplan=workplan, priorities=priorities,
                               members=[make_organisation() for _ in range(members)])
    with django_assert_num_queries(4):  # group with workplan, priorities, co-leads, members
        client.get(group.get_absolute_url())


def test_a_stakeholder_sees_the_form_and_expresses_interest(client):
    group = make_working_group()
    user = make_user(organisation=make_organisation(name="Migrant Forum"))
    client.force_login(user)
    assert "Send expression of interest" in client.get(group.get_absolute_url()).content.decode()
    response = client.post(group.get_absolute_url(), {"role": "member", "message": "We work on this."}, follow=True)
    html = response.content.decode()
    assert "The secretariat will review" in html
    assert "Pending" in html and "Send expression of interest" not in html
    assert InterestExpression.objects.get().message == "We work on this."


def test_bad_input_keeps_the_typed_message_and_says_what_is_wrong(client):
    group = make_working_group()
    client.force_login(make_user())
    response = client.post(group.get_absolute_url(), {"role": "chief", "message": "Our typed message & more"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose member, co-lead or observer." in html
    assert "Our typed message &amp; more" in html
    assert not InterestExpression.objects.exists()


def test_an_empty_message_is_explained(client):
    group = make_working_group()
    client.force_login(make_user())
    html = client.post(group.get_absolute_url(), {"role": "observer", "message": "  "}).content.decode()
    assert "Tell the secretariat in a few words" in html


def test_a_duplicate_pending_expression_is_refused_with_a_clear_message(client):
    group = make_working_group()
    organisation = make_organisation(name="Migrant Forum")
    first, second = make_user(organisation=organisation), make_user(organisation=organisation)
    client.force_login(first)
    client.post(group.get_absolute_url(), {"role": "member", "message": "First"})
    client.force_login(second)
    # The second colleague opened the form before the first one sent theirs.
    response = client.post(group.get_absolute_url(), {"role": "member", "message": "Second try"})
    html = response.content.decode()
    assert "Migrant Forum already has an expression of interest waiting for the secretariat" in html
    assert InterestExpression.objects.count() == 1


def test_an_incomplete_profile_is_asked_to_complete_it(client):
    group = make_working_group()
    client.force_login(make_user(complete=False))
    html = client.get(group.get_absolute_url()).content.decode()
    assert "Complete your profile" in html and "Send expression of interest" not in html


def test_anonymous_posts_are_sent_to_log_in(client):
    group = make_working_group()
    response = client.post(group.get_absolute_url(), {"role": "member", "message": "Hi"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not InterestExpression.objects.exists()


def test_a_closed_group_says_so(client):
    group = make_working_group(open_for_interest=False)
    client.force_login(make_user())
    html = client.get(group.get_absolute_url()).content.decode()
    assert "not taking expressions of interest" in html


def test_the_document_is_downloaded_through_the_view(client):
    workplan = make_workplan(document=SimpleUploadedFile("plan.pdf", b"%PDF-1.7 test", content_type="application/pdf"))
    response = client.get(reverse("workplan:workplan-document", args=[workplan.slug]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert client.get(reverse("workplan:workplan-document", args=[make_workplan().slug])).status_code == 404


def test_the_profile_tag_shows_the_organisations_decisions(client):
    from django.template import Context, Template
    from django.test import RequestFactory

    from workplan.services import interest_decline, interest_express

    organisation = make_organisation(name="Migrant Forum")
    user = make_user(organisation=organisation)
    group = make_working_group(name="Return group")
    expression = interest_express(actor=user, working_group=group, role="member", message="Hi")
    interest_decline(actor=make_user(role="Secretariat"), expression=expression, reply="Full <b>now</b>")
    request = RequestFactory().get("/")
    request.user = user
    html = Template("{% load workplan_tags %}{% my_interest_expressions %}").render(
        Context({"user": user, "request": request}))
    assert "Return group" in html and "Declined" in html and "Full &lt;b&gt;now&lt;/b&gt;" in html


def test_the_mention_filter_links_priorities():
    from django.template import Context, Template

    priority = make_priority(kind="new", number=5)
    html = Template("{% load workplan_tags %}{{ body|link_priority_mentions:workplan }}").render(
        Context({"body": "<p>About NP5</p>", "workplan": priority.workplan}))
    assert f'href="{priority.get_absolute_url()}"' in html
