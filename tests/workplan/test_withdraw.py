"""A stakeholder takes back their organisation's pending expression of interest before the secretariat decides."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hub.models import AuditEntry
from hub.roles import SECRETARIAT
from tests.factories import make_user, make_working_group
from workplan.models import InterestExpression
from workplan.services import interest_accept, interest_express, interest_withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    group = make_working_group(open_for_interest=True)
    stakeholder = make_user(name="Amina")
    expression = interest_express(actor=stakeholder, working_group=group, role="member", message="We'd like to join.")
    return group, stakeholder, expression


def test_a_colleague_withdraws_the_pending_expression_and_it_is_audited(setting):
    group, stakeholder, expression = setting
    colleague = make_user(organisation=stakeholder.profile.organisation)
    interest_withdraw(actor=colleague, expression=expression)
    expression.refresh_from_db()
    assert expression.status == InterestExpression.Status.WITHDRAWN
    assert AuditEntry.objects.filter(action="interest.withdraw", target_id=str(expression.pk)).exists()
    # The organisation may ask again afterwards.
    again = interest_express(actor=stakeholder, working_group=group, role="observer")
    assert again.status == InterestExpression.Status.PENDING


def test_someone_from_another_organisation_cannot_withdraw_it(setting):
    _group, _stakeholder, expression = setting
    with pytest.raises(PermissionDenied):
        interest_withdraw(actor=make_user(), expression=expression)
    expression.refresh_from_db()
    assert expression.status == InterestExpression.Status.PENDING


def test_a_decided_expression_cannot_be_withdrawn(setting):
    _group, stakeholder, expression = setting
    interest_accept(actor=make_user(role=SECRETARIAT), expression=expression, reply="Welcome.")
    with pytest.raises(ValidationError, match="already decided"):
        interest_withdraw(actor=stakeholder, expression=expression)


def test_the_group_page_offers_the_withdraw_button_and_it_works(client, setting):
    group, stakeholder, expression = setting
    client.force_login(stakeholder)
    page = client.get(group.get_absolute_url()).content.decode()
    assert f"/workplan/interest/{expression.pk}/withdraw/" in page
    response = client.post(f"/workplan/interest/{expression.pk}/withdraw/", follow=True)
    assert "expression of interest is withdrawn" in response.content.decode()
    expression.refresh_from_db()
    assert expression.status == InterestExpression.Status.WITHDRAWN


def test_withdrawing_needs_a_post_and_a_login(client, setting):
    _group, stakeholder, expression = setting
    url = f"/workplan/interest/{expression.pk}/withdraw/"
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(stakeholder)
    assert client.get(url).status_code == 405
    client.force_login(make_user())
    assert client.post(url).status_code == 403
    expression.refresh_from_db()
    assert expression.status == InterestExpression.Status.PENDING


def test_a_decision_taken_outside_a_request_still_mails_absolute_links(
        setting, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.HUB_SITE_URL = "https://hub.example.org"
    group, _stakeholder, expression = setting
    with django_capture_on_commit_callbacks(execute=True):
        interest_accept(actor=make_user(role=SECRETARIAT), expression=expression, reply="Welcome.")
    body = mailoutbox[-1].body
    assert f"https://hub.example.org{group.get_absolute_url()}" in body
    assert "https://hub.example.org/profile/" in body
