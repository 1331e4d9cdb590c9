from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from hub.models import AuditEntry
from hub.roles import MODERATORS, SECRETARIAT
from tests.factories import make_organisation, make_user, make_working_group, make_workplan
from workplan.models import InterestExpression, Priority
from workplan.services import (interest_accept, interest_decline, interest_export, interest_express,
                               workplan_content_save)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return make_working_group(name="Working group on return")


@pytest.fixture
def stakeholder():
    return make_user(email="amina@example.org", name="Amina", organisation=make_organisation(name="Migrant Forum"))


@pytest.fixture
def secretariat():
    return make_user(role=SECRETARIAT, name="Jonas")


def test_a_stakeholder_expresses_interest_for_their_organisation(group, stakeholder):
    expression = interest_express(actor=stakeholder, working_group=group, role="member", message="  We can help.  ")
    assert expression.organisation == stakeholder.profile.organisation
    assert (expression.status, expression.message, expression.submitted_by) == ("pending", "We can help.", stakeholder)
    assert AuditEntry.objects.filter(action="interest.express", target_id=str(expression.pk)).exists()


def test_a_second_pending_expression_for_the_same_organisation_and_group_is_refused(group, stakeholder):
    interest_express(actor=stakeholder, working_group=group, role="member", message="First")
    colleague = make_user(organisation=stakeholder.profile.organisation)
    with pytest.raises(ValidationError) as exc:
        interest_express(actor=colleague, working_group=group, role="observer", message="Second")
    assert "already has an expression of interest waiting" in exc.value.messages[0]
    assert InterestExpression.objects.count() == 1


def test_after_a_decline_the_organisation_may_ask_again(group, stakeholder, secretariat):
    first = interest_express(actor=stakeholder, working_group=group, role="co_lead", message="Lead")
    interest_decline(actor=secretariat, expression=first, reply="Co-leads are full.")
    interest_express(actor=stakeholder, working_group=group, role="member", message="Member then")
    assert InterestExpression.objects.filter(status="pending").count() == 1


def test_an_incomplete_profile_cannot_express_interest(group):
    with pytest.raises(PermissionDenied):
        interest_express(actor=make_user(complete=False), working_group=group, role="member", message="Hi")


def test_a_group_closed_for_interest_refuses_expressions(stakeholder):
    closed = make_working_group(open_for_interest=False)
    with pytest.raises(PermissionDenied):
        interest_express(actor=stakeholder, working_group=closed, role="member", message="Hi")


def test_an_organisation_already_member_is_told_so(stakeholder):
    group = make_working_group(members=[stakeholder.profile.organisation])
    with pytest.raises(ValidationError, match="already a member"):
        interest_express(actor=stakeholder, working_group=group, role="member", message="Hi")


def test_unknown_role_and_overlong_message_are_refused(group, stakeholder):
    with pytest.raises(ValidationError) as exc:
        interest_express(actor=stakeholder, working_group=group, role="boss", message="x" * 2001)
    assert set(exc.value.message_dict) == {"role", "message"}


def test_accepting_adds_the_organisation_to_the_members_and_emails_the_submitter(
        group, stakeholder, secretariat, django_capture_on_commit_callbacks, settings):
    settings.HUB_SITE_URL = "https://hub.example.org/"
    expression = interest_express(actor=stakeholder, working_group=group, role="member", message="We can help.")
    with django_capture_on_commit_callbacks(execute=True):
        interest_accept(actor=secretariat, expression=expression, reply="Welcome aboard!")
    expression.refresh_from_db()
    assert (expression.status, expression.reply, expression.decided_by) == ("accepted", "Welcome aboard!", secretariat)
    assert expression.decided_at is not None
    assert list(group.members.all()) == [stakeholder.profile.organisation]
    [message] = mail.outbox
    assert message.to == ["amina@example.org"]
    assert "Accepted" in message.subject and "Working group on return" in message.subject
    assert "ACCEPTED" in message.body and "Migrant Forum" in message.body and "Welcome aboard!" in message.body
    assert f"https://hub.example.org{group.get_absolute_url()}" in message.body
    assert "https://hub.example.org/profile/" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body  # plain text, not HTML-escaped
    assert AuditEntry.objects.filter(action="interest.accepted", reason="Welcome aboard!").exists()


def test_accepting_a_co_lead_adds_the_organisation_to_the_co_leads(group, stakeholder, secretariat):
    expression = interest_express(actor=stakeholder, working_group=group, role="co_lead", message="We lead.")
    interest_accept(actor=secretariat, expression=expression)
    assert list(group.co_leads.all()) == [stakeholder.profile.organisation]


def test_declining_emails_the_reason_and_does_not_add_the_organisation(
        group, stakeholder, secretariat, django_capture_on_commit_callbacks):
    expression = interest_express(actor=stakeholder, working_group=group, role="member", message="Let us in")
    with django_capture_on_commit_callbacks(execute=True):
        interest_decline(actor=secretariat, expression=expression, reply="The group is full until 2025.")
    assert group.members.count() == 0
    [message] = mail.outbox
    assert "DECLINED" in message.body and "The group is full until 2025." in message.body
    assert "Let us in" in message.body


def test_an_expression_is_decided_only_once(group, stakeholder, secretariat):
    expression = interest_express(actor=stakeholder, working_group=group, role="member", message="Hi")
    interest_accept(actor=secretariat, expression=expression)
    with pytest.raises(ValidationError, match="already decided"):
        interest_decline(actor=secretariat, expression=expression, reply="Oops")


@pytest.mark.parametrize("who", ["stakeholder", "moderator", "anonymous"])
def test_only_the_secretariat_decides(group, stakeholder, who):
    from django.contrib.auth.models import AnonymousUser

    expression = interest_express(actor=stakeholder, working_group=group, role="member", message="Hi")
    actor = {"stakeholder": stakeholder, "moderator": make_user(role=MODERATORS), "anonymous": AnonymousUser()}[who]
    with pytest.raises(PermissionDenied):
        interest_accept(actor=actor, expression=expression)
    with pytest.raises(PermissionDenied):
        interest_export(actor=actor, expressions=InterestExpression.objects.all())


def test_the_export_is_audited(secretariat):
    interest_export(actor=secretariat, expressions=InterestExpression.objects.all())
    assert AuditEntry.objects.filter(action="interest.export").exists()


def test_content_saves_sanitize_html_and_are_audited(secretariat):
    workplan = make_workplan()
    priority = Priority(workplan=workplan, kind="new", number=1, title="T",
                        description='<p onclick="x()">Hi<script>alert(1)</script></p>')
    workplan_content_save(actor=secretariat, instance=priority, changed=["description"])
    priority.refresh_from_db()
    assert priority.description == "<p>Hi</p>"
    assert AuditEntry.objects.filter(action="priority.create").exists()
    with pytest.raises(PermissionDenied):
        workplan_content_save(actor=make_user(), instance=priority)


def test_the_workplan_slug_interest_is_reserved():
    from workplan.models import Workplan

    with pytest.raises(ValidationError, match="used by the site"):
        Workplan(title="X", slug="interest", period_start=2022, period_end=2024).full_clean()


# --- workplan_import: a workplan as a file states it (discussions.interchange) ----------------------------------


def _import(actor=None, **changes):
    from workplan.services import PriorityFields, WorkingGroupFields, workplan_import

    fields = {
        "slug": "plan-2025", "title": "Plan", "period_start": 2025, "status": "draft",
        "priorities": [PriorityFields(kind="new", number=1, title="Indicators",
                                      description='<p onclick="x()">Hi<script>alert(1)</script></p>',
                                      gcm_objectives=[1, 23])],
        "working_groups": [WorkingGroupFields(slug="wg-return", name="Return", priorities=["NP1"],
                                              co_leads=["Migrant forum", "A New  Organisation"])],
    }
    fields.update(changes)
    return workplan_import(actor=actor, **fields)


def test_a_workplan_import_creates_the_rows_cleans_their_html_and_is_audited_once():
    make_organisation(name="Migrant Forum")
    result = _import()

    workplan = result.workplan
    assert (workplan.slug, workplan.period_start, workplan.period_end) == ("plan-2025", 2025, 2025)
    priority = result.priorities["NP1"]
    assert priority.description == "<p>Hi</p>" and priority.order == 0
    assert sorted(priority.gcm_objectives.values_list("number", flat=True)) == [1, 23]
    group = result.working_groups["wg-return"]
    assert list(group.priorities.all()) == [priority]
    # An organisation is found whatever its case; a new one is made as a stakeholder's would be (unverified).
    assert sorted(group.co_leads.values_list("name", "verified")) == [("A New Organisation", False),
                                                                     ("Migrant Forum", True)]
    assert result.created == {"workplan": 1, "priority": 1, "working group": 1, "organisation": 1}
    assert AuditEntry.objects.filter(action="workplan.import", target_id=str(workplan.pk)).count() == 1
    assert AuditEntry.objects.filter(action="organisation.create").count() == 1


def test_a_second_workplan_import_updates_the_same_rows():
    first = _import()
    second = _import(title="Plan (final)", status="final")

    assert second.workplan.pk == first.workplan.pk and second.workplan.title == "Plan (final)"
    assert second.priorities["NP1"].pk == first.priorities["NP1"].pk
    assert second.created == {} and second.updated == {"workplan": 1, "priority": 1, "working group": 1}


def test_a_workplan_import_is_the_secretariats(secretariat):
    with pytest.raises(PermissionDenied):
        _import(actor=make_user())
    assert _import(actor=secretariat).workplan.slug == "plan-2025"


def test_a_workplan_import_naming_a_gcm_objective_the_site_lacks_names_the_field():
    from workplan.models import GcmObjective

    GcmObjective.objects.filter(number=23).delete()
    with pytest.raises(ValidationError) as caught:
        _import()
    assert caught.value.message_dict == {
        "priorities[0].gcm_objectives": ["GCM objective 23 is not in this site's reference data"]}
