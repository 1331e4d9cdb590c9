"""Secretariat screens: the review queue, decisions, the CSV export and the admin, for every role."""
from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from hub.roles import MODERATORS, SECRETARIAT
from tests.factories import make_organisation, make_priority, make_user, make_working_group, make_workplan
from workplan.services import interest_express

pytestmark = pytest.mark.django_db


@pytest.fixture
def expression():
    group = make_working_group(name="Return group")
    user = make_user(email="amina@example.org", name="Amina", organisation=make_organisation(name="Migrant Forum"))
    return interest_express(actor=user, working_group=group, role="member", message="=HYPERLINK(\"x\") we help")


def _user(role: str):
    if role == "anonymous":
        return None
    if role == "stakeholder":
        return make_user()
    if role == "moderator":
        return make_user(role=MODERATORS, is_staff=True)
    return make_user(role=SECRETARIAT, is_staff=True)


def _secretariat_urls(expression):
    workplan = expression.working_group.workplan
    priority = make_priority(workplan=workplan)
    return [
        ("get", reverse("workplan:interest-queue")),
        ("get", reverse("workplan:interest-queue") + "?status=all"),
        ("get", reverse("workplan:interest-csv")),
        ("post", reverse("workplan:interest-decide", args=[expression.pk])),
        ("get", reverse("admin:workplan_workplan_changelist")),
        ("get", reverse("admin:workplan_workplan_change", args=[workplan.pk])),
        ("get", reverse("admin:workplan_workplan_add")),
        ("get", reverse("admin:workplan_priority_changelist")),
        ("get", reverse("admin:workplan_priority_change", args=[priority.pk])),
        ("get", reverse("admin:workplan_priority_add")),
        ("get", reverse("admin:workplan_workinggroup_changelist")),
        ("get", reverse("admin:workplan_workinggroup_change", args=[expression.working_group.pk])),
        ("get", reverse("admin:workplan_workinggroup_add")),
        ("get", reverse("admin:workplan_interestexpression_changelist")),
        ("get", reverse("admin:workplan_interestexpression_change", args=[expression.pk])),
    ]


@pytest.mark.parametrize("role, allowed", [("anonymous", False), ("stakeholder", False), ("moderator", False),
                                           ("secretariat", True)])
def test_secretariat_urls_answer_only_the_secretariat(client, expression, role, allowed):
    user = _user(role)
    if user:
        client.force_login(user)
    for method, url in _secretariat_urls(expression):
        data = {"decision": "accept"} if method == "post" else None
        response = getattr(client, method)(url, data)
        if allowed:
            assert response.status_code in (200, 302), url
            if method == "get":
                assert response.status_code == 200, url
        elif role in ("anonymous", "stakeholder") and url.startswith("/admin/"):
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
        elif role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 403, url
    expression.refresh_from_db()
    assert expression.status == ("accepted" if allowed else "pending")


def test_the_queue_lists_pending_expressions_with_their_message(client, expression):
    client.force_login(_user("secretariat"))
    html = client.get(reverse("workplan:interest-queue")).content.decode()
    assert "Migrant Forum" in html and "Return group" in html and "we help" in html
    assert reverse("workplan:interest-decide", args=[expression.pk]) in html


@pytest.mark.parametrize("size", [1, 20])
def test_the_queue_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    group = make_working_group()
    for _ in range(size):
        interest_express(actor=make_user(), working_group=group, role="member", message="Hi")
    client.force_login(_user("secretariat"))
    # session, user, user and group permissions, the header's profile, count, one page with all relations
    with django_assert_num_queries(8):
        client.get(reverse("workplan:interest-queue"))


def test_the_secretariat_accepts_with_a_reply_and_the_organisation_is_emailed(
        client, expression, django_capture_on_commit_callbacks):
    client.force_login(_user("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workplan:interest-decide", args=[expression.pk]),
                               {"decision": "accept", "reply": "Welcome!"}, follow=True)
    assert "Migrant Forum" in response.content.decode() and "accepted" in response.content.decode()
    expression.refresh_from_db()
    assert expression.status == "accepted" and expression.reply == "Welcome!"
    assert expression.working_group.members.filter(pk=expression.organisation_id).exists()
    assert mail.outbox[0].to == ["amina@example.org"]
    assert f"{settings.HUB_SITE_URL}/workplan/" in mail.outbox[0].body  # links on HUB_SITE_URL, not the request's host


def test_a_decision_without_a_choice_is_explained(client, expression):
    client.force_login(_user("secretariat"))
    response = client.post(reverse("workplan:interest-decide", args=[expression.pk]), {"reply": "?"}, follow=True)
    assert "Choose accept or decline." in response.content.decode()
    expression.refresh_from_db()
    assert expression.status == "pending"


def test_deciding_twice_is_explained(client, expression):
    client.force_login(_user("secretariat"))
    url = reverse("workplan:interest-decide", args=[expression.pk])
    client.post(url, {"decision": "decline"})
    response = client.post(url, {"decision": "accept"}, follow=True)
    assert "already decided (declined)" in response.content.decode()


def test_decide_is_post_only(client, expression):
    client.force_login(_user("secretariat"))
    assert client.get(reverse("workplan:interest-decide", args=[expression.pk])).status_code == 405


def test_the_csv_lists_expressions_and_neutralises_formulas(client, expression):
    client.force_login(_user("secretariat"))
    response = client.get(reverse("workplan:interest-csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["submitted", "workplan", "working group", "organisation"]
    row = dict(zip(rows[0], rows[1]))
    assert row["organisation"] == "Migrant Forum" and row["e-mail"] == "amina@example.org"
    assert row["status"] == "Pending" and row["role"] == "Member"
    assert row["message"].startswith("'=HYPERLINK")


def test_the_admin_saves_priorities_through_the_service(client):
    from hub.models import AuditEntry

    workplan = make_workplan()
    client.force_login(_user("secretariat"))
    response = client.post(reverse("admin:workplan_priority_add"), {
        "workplan": workplan.pk, "kind": "new", "number": 5, "title": "Integration",
        "description": "<p>Text<script>x()</script></p>", "pd_references": "", "order": 1, "active": "on",
        "WorkingGroup_priorities-TOTAL_FORMS": 0, "WorkingGroup_priorities-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    priority = workplan.priorities.get()
    assert priority.description == "<p>Text</p>"
    assert AuditEntry.objects.filter(action="priority.create").exists()


def test_the_admin_changelists_filter_and_search(client, expression):
    client.force_login(_user("secretariat"))
    assert client.get(reverse("admin:workplan_priority_changelist") + "?kind__exact=new&q=x").status_code == 200
    assert client.get(reverse("admin:workplan_workinggroup_changelist") + "?open_for_interest__exact=1&q=Return"
                      ).status_code == 200
    html = client.get(reverse("admin:workplan_interestexpression_changelist") + "?status__exact=pending"
                      ).content.decode()
    assert "Migrant Forum" in html


@pytest.mark.parametrize("message, expected", [
    ("\x01=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
    ("\t=1+1", "'\t'=1+1"),
    (" =cmd", "' =cmd"),
    ("Agreed;=WEBSERVICE(\"http://evil.example\")", "Agreed;'=WEBSERVICE(\"http://evil.example\")"),
])
def test_the_csv_neutralises_formulas_hidden_in_a_message(client, expression, message, expected):
    from hub.spreadsheets import is_formula
    from workplan.models import InterestExpression

    InterestExpression.objects.filter(pk=expression.pk).update(message=message)
    client.force_login(_user("secretariat"))
    response = client.get(reverse("workplan:interest-csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cell = dict(zip(rows[0], rows[1]))["message"]
    assert cell == expected
    for separator in ";,\t":
        assert not any(is_formula(piece) for piece in cell.split(separator))
