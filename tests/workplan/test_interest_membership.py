"""Acting for an organisation in working groups needs a confirmed membership: naming it on one's profile is not
enough to ask for it to join, to see its requests, or to withdraw them."""
import pytest
from django.core.exceptions import PermissionDenied

from hub.models import Membership
from tests.factories import make_organisation, make_user, make_working_group
from workplan.models import InterestExpression
from workplan.permissions import can_express_interest, can_withdraw_interest
from workplan.services import interest_express, interest_withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def iom():
    return make_organisation(name="International Organization for Migration")


@pytest.fixture
def expression(iom):
    group = make_working_group(open_for_interest=True)
    member = make_user(name="Richard Ellington", organisation=iom)
    return interest_express(actor=member, working_group=group, role="co_lead",
                            message="IOM would like to co-lead this group; our reasons are confidential.")


def test_a_stranger_who_claims_the_organisation_cannot_withdraw_its_request(iom, expression):
    stranger = make_user(name="Mallory Smith", organisation=iom, membership=Membership.REQUESTED)
    assert not can_withdraw_interest(stranger, expression)
    with pytest.raises(PermissionDenied, match="confirmed members"):
        interest_withdraw(actor=stranger, expression=expression)
    expression.refresh_from_db()
    assert expression.status == InterestExpression.Status.PENDING


def test_a_stranger_cannot_withdraw_it_through_the_page_either(client, iom, expression):
    client.force_login(make_user(organisation=iom, membership=Membership.REQUESTED))
    assert client.post(f"/workplan/interest/{expression.pk}/withdraw/").status_code == 403
    expression.refresh_from_db()
    assert expression.status == InterestExpression.Status.PENDING


def test_a_refused_member_cannot_withdraw_it(iom, expression):
    with pytest.raises(PermissionDenied):
        interest_withdraw(actor=make_user(organisation=iom, membership=Membership.REFUSED), expression=expression)


def test_a_confirmed_colleague_still_can(iom, expression):
    interest_withdraw(actor=make_user(organisation=iom), expression=expression)
    expression.refresh_from_db()
    assert expression.status == InterestExpression.Status.WITHDRAWN


def test_an_unconfirmed_member_cannot_express_interest_for_the_organisation(iom):
    group = make_working_group(open_for_interest=True)
    claimant = make_user(organisation=iom, membership=Membership.REQUESTED)
    assert not can_express_interest(claimant, group)
    with pytest.raises(PermissionDenied, match="must be confirmed"):
        interest_express(actor=claimant, working_group=group, role="member")
    assert not InterestExpression.objects.exists()


def test_the_group_page_neither_shows_the_organisations_requests_nor_offers_actions_to_an_unconfirmed_member(
        client, iom, expression):
    client.force_login(make_user(organisation=iom, membership=Membership.REQUESTED))
    html = client.get(expression.working_group.get_absolute_url()).content.decode()
    assert "is not confirmed yet" in html
    assert "withdraw" not in html.lower() and 'class="interest-form"' not in html
    assert "asked to join" not in html
    assert "confidential" not in html
    response = client.post(expression.working_group.get_absolute_url(), {"role": "member", "message": "x"})
    assert response.status_code == 403


def test_the_profile_page_does_not_show_the_organisations_requests_to_an_unconfirmed_member(client, iom, expression):
    client.force_login(make_user(organisation=iom, membership=Membership.REQUESTED))
    html = client.get("/profile/").content.decode()
    assert expression.working_group.name not in html
    assert "Once your membership of International Organization for Migration is confirmed" in html
    client.force_login(make_user(organisation=iom))
    assert expression.working_group.name in client.get("/profile/").content.decode()
