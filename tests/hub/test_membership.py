"""Membership of an organisation is a state: a claim on the profile is *requested* until the secretariat, a
confirmed contact of the organisation, or a verified e-mail address at one of its declared domains confirms it."""
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hub.models import AuditEntry, Membership, Organisation, Profile, parse_email_domains
from hub.roles import MODERATORS, SECRETARIAT
from hub.services import (
    membership_confirm,
    membership_contact_set,
    membership_refuse,
    membership_request,
    organisation_domains_apply,
    profile_update,
)
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def choose(user, organisation):
    """The person picks an organisation on their profile, as the profile page does."""
    return profile_update(actor=user, user=user, display_name=user.profile.display_name or "Amina Odhiambo",
                          organisation=organisation)


def fresh(user) -> Profile:
    return Profile.objects.select_related("organisation").get(user=user)


@pytest.fixture
def secretariat():
    return make_user(name="Jonas Lindqvist", email="jonas@secretariat.example", role=SECRETARIAT)


# --- Asking -------------------------------------------------------------------------------------------------------

def test_choosing_an_organisation_makes_a_request_that_is_audited_not_a_membership(secretariat):
    iom = make_organisation(name="International Organization for Migration")
    user = make_user(complete=False)
    profile = choose(user, iom)
    assert profile.organisation == iom and profile.membership == Membership.REQUESTED
    assert not profile.membership_confirmed and profile.confirmed_organisation is None
    assert profile.is_complete  # commenting stays open: the person is attributed by name
    entry = AuditEntry.objects.get(action="membership.request", target_id=str(profile.pk))
    assert entry.actor == user and entry.after["organisation"] == iom.pk and entry.after["membership"] == "requested"


def test_changing_organisation_resets_a_confirmed_membership_and_its_contact_flag(secretariat):
    first, second = make_organisation(), make_organisation()
    user = make_user(organisation=first, contact=True)
    assert fresh(user).is_organisation_contact
    profile = choose(user, second)
    assert profile.membership == Membership.REQUESTED and profile.organisation_contact is False
    assert profile.membership_decided_by is None and profile.membership_decided_at is None
    entry = AuditEntry.objects.get(action="membership.request", target_id=str(profile.pk))
    assert entry.before == {"organisation": first.pk, "membership": "confirmed", "contact": True}


def test_saving_the_profile_without_changing_organisation_keeps_the_membership():
    user = make_user()
    choose(user, user.profile.organisation)
    assert fresh(user).membership == Membership.CONFIRMED
    assert not AuditEntry.objects.filter(action="membership.request").exists()


def test_the_secretariat_and_the_organisations_contacts_are_emailed_a_new_request_after_commit(
        secretariat, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.HUB_SITE_URL = "https://hub.example.org"
    org = make_organisation(name="Global Union of Care Workers")
    contact = make_user(email="contact@gucw.example", organisation=org, contact=True)
    make_user(email="colleague@gucw.example", organisation=org)  # confirmed, not a contact: not told
    make_user(email="moderator@example.org", role=MODERATORS)
    make_user(email="other-contact@else.example", contact=True)  # another organisation's contact
    user = make_user(complete=False, name="", email="lotte@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        profile_update(actor=user, user=user, display_name="Lotte Vermeulen", organisation=org)
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == [contact.email, secretariat.email]
    mail = mailoutbox[0]
    assert "Lotte Vermeulen" in mail.subject and "Global Union of Care Workers" in mail.subject
    assert "lotte@example.org" in mail.body and "https://hub.example.org/memberships/" in mail.body


def test_switching_organisations_back_and_forth_emails_the_secretariat_at_most_once_an_hour(
        secretariat, mailoutbox, django_capture_on_commit_callbacks):
    a, b = make_organisation(), make_organisation()
    user = make_user(complete=False)
    with django_capture_on_commit_callbacks(execute=True):
        for organisation in [a, b, a, b, a]:
            choose(user, organisation)
    assert len(mailoutbox) == 1
    assert fresh(user).organisation == a and fresh(user).membership == Membership.REQUESTED
    # An hour later a new request is news again.
    AuditEntry.objects.filter(action="membership.request").update(created_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        choose(user, b)
    assert len(mailoutbox) == 2


def test_without_anyone_to_decide_the_request_goes_to_the_contact_address(
        mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.HUB_CONTACT_EMAIL = "secretariat@hub.example"
    user = make_user(complete=False)
    with django_capture_on_commit_callbacks(execute=True):
        choose(user, make_organisation())
    assert [m.to for m in mailoutbox] == [["secretariat@hub.example"]]


def test_nobody_else_can_make_a_request_for_a_person():
    with pytest.raises(PermissionDenied):
        membership_request(actor=make_user(), user=make_user(), organisation=make_organisation())


# --- The e-mail domain rule --------------------------------------------------------------------------------------

def test_a_verified_address_at_a_declared_domain_confirms_at_once_case_insensitively(mailoutbox,
                                                                                     django_capture_on_commit_callbacks):
    iom = make_organisation(email_domains="iom.int")
    user = make_user(complete=False, email="Amina@IOM.Int")
    with django_capture_on_commit_callbacks(execute=True):
        profile = choose(user, iom)
    assert profile.membership == Membership.CONFIRMED and profile.membership_decided_by is None
    confirm = AuditEntry.objects.get(action="membership.confirm", target_id=str(profile.pk))
    assert confirm.reason == "verified e-mail address at iom.int" and confirm.actor is None
    assert mailoutbox == []  # no request to tell anyone about


@pytest.mark.parametrize("email", ["amina@evil.iom.int", "amina@iom.int.example", "amina@notiom.int",
                                   "amina@example.org"])
def test_only_the_exact_domain_counts_not_a_subdomain_or_lookalike(email):
    iom = make_organisation(email_domains="iom.int")
    user = make_user(complete=False, email=email)
    assert choose(user, iom).membership == Membership.REQUESTED


def test_an_unverified_address_at_the_domain_does_not_confirm():
    iom = make_organisation(email_domains="iom.int")
    user = make_user(complete=False, email="amina@example.org")
    EmailAddress.objects.create(user=user, email="amina@iom.int", verified=False, primary=False)
    assert choose(user, iom).membership == Membership.REQUESTED


def test_verifying_an_address_at_the_domain_later_confirms_the_pending_request(mailoutbox,
                                                                               django_capture_on_commit_callbacks):
    iom = make_organisation(name="International Organization for Migration", email_domains="iom.int")
    user = make_user(complete=False, email="amina@example.org")
    choose(user, iom)
    address = EmailAddress.objects.create(user=user, email="amina@iom.int", verified=True, primary=False)
    with django_capture_on_commit_callbacks(execute=True):
        email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert fresh(user).membership == Membership.CONFIRMED
    assert AuditEntry.objects.filter(action="membership.confirm", reason="verified e-mail address at iom.int").exists()
    assert [m.to for m in mailoutbox] == [[user.email]] and "is confirmed" in mailoutbox[0].subject


def test_verifying_an_address_does_not_undo_a_refusal(secretariat):
    iom = make_organisation(email_domains="iom.int")
    user = make_user(organisation=iom, membership=Membership.REFUSED, email="amina@example.org")
    address = EmailAddress.objects.create(user=user, email="amina@iom.int", verified=True, primary=False)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert fresh(user).membership == Membership.REFUSED


def test_declaring_domains_confirms_the_organisations_pending_requests_from_those_addresses(secretariat):
    org = make_organisation()
    inside = make_user(organisation=org, membership=Membership.REQUESTED, email="a@gucw.example")
    outside = make_user(organisation=org, membership=Membership.REQUESTED, email="b@gmail.com")
    org.email_domains = "gucw.example"
    org.save()
    confirmed = organisation_domains_apply(actor=secretariat, organisation=org)
    assert [p.user for p in confirmed] == [inside]
    assert fresh(inside).membership == Membership.CONFIRMED and fresh(outside).membership == Membership.REQUESTED
    with pytest.raises(PermissionDenied):
        organisation_domains_apply(actor=make_user(), organisation=org)


def test_declared_domains_are_normalised_and_validated():
    assert parse_email_domains(" IOM.int,\n@un.org ; iom.int ") == ["iom.int", "un.org"]
    with pytest.raises(ValidationError, match="Not a domain name"):
        parse_email_domains("iom.int\nnot a domain\nx@y")
    with pytest.raises(ValidationError, match="anyone can open an address"):
        parse_email_domains("gmail.com")
    with pytest.raises(ValidationError, match="At most 20"):
        parse_email_domains("\n".join(f"d{i}.example" for i in range(21)))


def test_two_organisations_cannot_declare_the_same_domain():
    make_organisation(name="IOM", email_domains="iom.int")
    other = Organisation(name="Impostor", stakeholder_group="other", email_domains="IOM.INT")
    with pytest.raises(ValidationError, match="already declared by IOM"):
        other.full_clean()


def test_a_huge_domain_list_is_refused_quickly_and_whole():
    with pytest.raises(ValidationError):
        parse_email_domains("a." * 200_000 + "example")


# --- Deciding ----------------------------------------------------------------------------------------------------

def test_the_secretariat_confirms_a_request_it_is_audited_and_the_person_emailed(
        secretariat, mailoutbox, django_capture_on_commit_callbacks):
    org = make_organisation(name="Migrant Workers Solidarity Forum")
    user = make_user(organisation=org, membership=Membership.REQUESTED, name="Amina")
    with django_capture_on_commit_callbacks(execute=True):
        profile = membership_confirm(actor=secretariat, profile=user.profile, organisation=org)
    assert profile.membership == Membership.CONFIRMED
    assert profile.membership_decided_by == secretariat and profile.membership_decided_at is not None
    entry = AuditEntry.objects.get(action="membership.confirm")
    assert entry.actor == secretariat and entry.before["membership"] == "requested"
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert "Your membership of Migrant Workers Solidarity Forum is confirmed" in mailoutbox[0].subject


def test_refusing_needs_a_reason_which_is_audited_and_emailed(secretariat, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    org = make_organisation()
    user = make_user(organisation=org, membership=Membership.REQUESTED)
    with pytest.raises(ValidationError, match="Say why"):
        membership_refuse(actor=secretariat, profile=user.profile, organisation=org, reason="   ")
    with pytest.raises(ValidationError, match="1000 characters"):
        membership_refuse(actor=secretariat, profile=user.profile, organisation=org, reason="x" * 1001)
    assert fresh(user).membership == Membership.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        membership_refuse(actor=secretariat, profile=user.profile, organisation=org,
                          reason="We could not find you in the staff list.")
    profile = fresh(user)
    assert profile.membership == Membership.REFUSED and profile.membership_reason.startswith("We could not")
    assert AuditEntry.objects.get(action="membership.refuse").reason == "We could not find you in the staff list."
    assert "We could not find you in the staff list." in mailoutbox[0].body


def test_a_decision_on_a_request_whose_organisation_changed_meanwhile_is_refused(secretariat):
    first, second = make_organisation(), make_organisation()
    user = make_user(organisation=first, membership=Membership.REQUESTED)
    choose(user, second)
    with pytest.raises(ValidationError, match="changed their organisation"):
        membership_confirm(actor=secretariat, profile=user.profile, organisation=first)
    assert fresh(user).membership == Membership.REQUESTED


def test_a_confirmed_contact_decides_requests_for_their_own_organisation_only():
    org = make_organisation()
    contact = make_user(organisation=org, contact=True)
    colleague = make_user(organisation=org, membership=Membership.REQUESTED)
    stranger = make_user(membership=Membership.REQUESTED)
    membership_confirm(actor=contact, profile=colleague.profile, organisation=org)
    assert fresh(colleague).membership == Membership.CONFIRMED
    with pytest.raises(PermissionDenied):
        membership_confirm(actor=contact, profile=stranger.profile, organisation=stranger.profile.organisation)
    # A contact does not revoke a confirmed colleague; that is for the secretariat.
    with pytest.raises(PermissionDenied):
        membership_refuse(actor=contact, profile=colleague.profile, organisation=org, reason="No")


@pytest.mark.parametrize("who", ["member", "unconfirmed contact", "moderator", "requester"])
def test_others_cannot_decide(who):
    org = make_organisation()
    requester = make_user(organisation=org, membership=Membership.REQUESTED)
    actor = {
        "member": lambda: make_user(organisation=org),
        "unconfirmed contact": lambda: make_user(organisation=org, membership=Membership.REQUESTED, contact=True),
        "moderator": lambda: make_user(role=MODERATORS),
        "requester": lambda: requester,
    }[who]()
    with pytest.raises(PermissionDenied):
        membership_confirm(actor=actor, profile=requester.profile, organisation=org)
    assert fresh(requester).membership == Membership.REQUESTED


def test_the_secretariat_does_not_confirm_its_own_claim():
    member_of_secretariat = make_user(role=SECRETARIAT, membership=Membership.REQUESTED)
    with pytest.raises(PermissionDenied, match="Someone else"):
        membership_confirm(actor=member_of_secretariat, profile=member_of_secretariat.profile,
                           organisation=member_of_secretariat.profile.organisation)


def test_the_secretariat_may_revoke_a_confirmed_membership_which_ends_the_contact_role(secretariat):
    user = make_user(contact=True)
    membership_refuse(actor=secretariat, profile=user.profile, organisation=user.profile.organisation,
                      reason="Left the organisation.")
    profile = fresh(user)
    assert profile.membership == Membership.REFUSED and not profile.organisation_contact


def test_only_the_secretariat_names_contacts_and_only_confirmed_members(secretariat):
    member = make_user()
    pending = make_user(membership=Membership.REQUESTED)
    with pytest.raises(PermissionDenied):
        membership_contact_set(actor=make_user(contact=True, organisation=member.profile.organisation),
                               profile=member.profile, contact=True)
    with pytest.raises(ValidationError, match="confirmed member"):
        membership_contact_set(actor=secretariat, profile=pending.profile, contact=True)
    membership_contact_set(actor=secretariat, profile=member.profile, contact=True)
    assert fresh(member).is_organisation_contact
    assert AuditEntry.objects.filter(action="membership.contact", target_id=str(member.profile.pk)).exists()


def test_the_demo_members_are_confirmed(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    profiles = Profile.objects.exclude(organisation=None)
    assert profiles.exists() and all(p.membership == Membership.CONFIRMED for p in profiles)
