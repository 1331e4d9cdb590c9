"""The admin shows membership but never sets it behind the services' back."""
import pytest
from django.urls import reverse

from hub.models import AuditEntry, Membership, Organisation, Profile
from hub.roles import SECRETARIAT
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def profile_form(profile, **changes):
    data = {"user": profile.user_id, "display_name": profile.display_name,
            "organisation": profile.organisation_id or "", "job_title": profile.job_title,
            "country": profile.country, "attribution": profile.attribution, "language": profile.language}
    data.update(changes)
    return data


def test_staff_moving_a_confirmed_member_to_another_organisation_resets_the_membership(client):
    admin = make_user(is_staff=True, is_superuser=True)
    member = make_user(contact=True)
    other = make_organisation()
    client.force_login(admin)
    url = reverse("admin:hub_profile_change", args=[member.profile.pk])
    # membership fields are read-only: posting them changes nothing
    response = client.post(url, profile_form(member.profile, organisation=other.pk, membership="confirmed"))
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.organisation == other and profile.membership == Membership.REQUESTED
    assert not profile.organisation_contact
    assert AuditEntry.objects.filter(action="membership.request", actor=admin).exists()


def test_the_admin_cannot_set_a_membership_state_directly(client):
    admin = make_user(is_staff=True, is_superuser=True)
    pending = make_user(membership=Membership.REQUESTED)
    client.force_login(admin)
    url = reverse("admin:hub_profile_change", args=[pending.profile.pk])
    client.post(url, profile_form(pending.profile, membership="confirmed", organisation_contact="on"))
    profile = Profile.objects.get(user=pending)
    assert profile.membership == Membership.REQUESTED and not profile.organisation_contact


def test_the_admin_action_confirms_through_the_service(client):
    secretariat = make_user(role=SECRETARIAT, is_staff=True, is_superuser=True)
    pending = make_user(membership=Membership.REQUESTED)
    client.force_login(secretariat)
    client.post(reverse("admin:hub_profile_changelist"),
                {"action": "confirm_memberships", "_selected_action": [pending.profile.pk]})
    assert Profile.objects.get(user=pending).membership == Membership.CONFIRMED
    assert AuditEntry.objects.filter(action="membership.confirm", actor=secretariat).exists()


def test_declaring_email_domains_in_the_admin_is_validated_audited_and_applied(client):
    admin = make_user(is_staff=True, is_superuser=True)
    org = make_organisation(name="Global Union of Care Workers")
    waiting = make_user(organisation=org, membership=Membership.REQUESTED, email="lotte@gucw.example")
    client.force_login(admin)
    url = reverse("admin:hub_organisation_change", args=[org.pk])
    data = {"name": org.name, "acronym": org.acronym, "stakeholder_group": org.stakeholder_group,
            "country": org.country, "badge": org.badge, "website": "", "verified": "on"}
    response = client.post(url, {**data, "email_domains": "gmail.com"})
    assert response.status_code == 200 and "anyone can open an address there" in response.content.decode()
    client.post(url, {**data, "email_domains": "GUCW.example\n"})
    assert Organisation.objects.get(pk=org.pk).email_domains == "gucw.example"
    assert AuditEntry.objects.filter(action="organisation.email_domains", target_id=str(org.pk)).exists()
    assert Profile.objects.get(user=waiting).membership == Membership.CONFIRMED


def test_staff_who_may_not_confirm_members_cannot_declare_domains(client):
    from django.contrib.auth.models import Permission

    staff = make_user(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_organisation", "view_organisation"]))
    org = make_organisation()
    client.force_login(staff)
    url = reverse("admin:hub_organisation_change", args=[org.pk])
    html = client.get(url).content.decode()
    assert 'name="email_domains"' not in html
