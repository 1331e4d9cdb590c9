"""Writes of the people layer: every change goes through one of these functions."""
from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hub.audit import audit_log
from hub.http import absolute_url
from hub.languages import preferred_language
from hub.mail import header_text, send_many_on_commit, send_on_commit
from hub.models import (
    Attribution,
    AuditEntry,
    ContactMessage,
    Membership,
    Organisation,
    Profile,
    StakeholderGroup,
    email_domain,
)
from hub.permissions import check_decide_membership, check_manage_memberships
from hub.selectors import membership_reviewers


@transaction.atomic
def organisation_create(*, actor, name: str, acronym: str = "", stakeholder_group: str, country: str = "") -> Organisation:
    """A stakeholder may add their organisation; it starts unverified and outside the network."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the organisation's name.")})
    if stakeholder_group not in StakeholderGroup.values:
        raise ValidationError({"stakeholder_group": _("Choose a stakeholder group.")})
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("This organisation already exists; choose it from the list.")})
    organisation = Organisation.objects.create(
        name=name, acronym=acronym.strip(), stakeholder_group=stakeholder_group, country=country.strip(),
        network_member=False, verified=False,
    )
    audit_log(actor=actor, action="organisation.create", target=organisation, after={"name": name})
    return organisation


def organisation_get_or_create(*, actor, name: str, stakeholder_group: str = StakeholderGroup.OTHER,
                               ) -> tuple[Organisation, bool]:
    """The organisation of this name, whatever its case, or a new one made as `organisation_create` makes it (how
    an import names the organisations it refers to); returns it and whether it was created. Its one write is
    organisation_create's, in that service's transaction."""
    organisation = Organisation.objects.filter(name__iexact=" ".join(name.split())).first()
    if organisation is not None:
        return organisation, False
    return organisation_create(actor=actor, name=name, stakeholder_group=stakeholder_group), True


@transaction.atomic
def profile_update(
    *, actor, user, display_name: str, organisation: Organisation | None, job_title: str = "", country: str = "",
    attribution: str = Attribution.PERSON, language: str | None = None,
) -> Profile:
    """Users edit only their own profile; staff go through the admin. Naming another organisation starts a new
    membership request (see `membership_request`)."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only edit your own profile."))
    if attribution not in Attribution.values:
        raise ValidationError({"attribution": _("Choose how your comments are attributed.")})
    if language is not None and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the site's languages.")})
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    before = {"display_name": profile.display_name, "organisation": profile.organisation_id,
              "attribution": profile.attribution, "language": profile.language}
    new_organisation_id = organisation.pk if organisation is not None else None
    claim = None
    if new_organisation_id != profile.organisation_id:
        claim = _begin_membership(profile=profile, organisation=organisation)
    profile.display_name = " ".join(display_name.split())
    profile.job_title = job_title.strip()
    profile.country = country.strip()
    profile.attribution = attribution
    if language is not None:
        profile.language = language
    profile.save(update_fields=["display_name", "job_title", "country", "attribution", "language", "updated_at",
                                *MEMBERSHIP_FIELDS])
    audit_log(actor=actor, action="profile.update", target=profile, before=before,
              after={"display_name": profile.display_name, "organisation": profile.organisation_id,
                     "attribution": profile.attribution, "language": profile.language})
    if claim is not None:
        _membership_requested(actor=actor, profile=profile, claim=claim)
    _forget_cached_profile(user)
    return profile


def _forget_cached_profile(user) -> None:
    if hasattr(user, "_hub_profile_cache"):
        del user._hub_profile_cache


# --- Membership of an organisation -------------------------------------------------------------------------------
#
# A person names their organisation on their profile; that is a claim (`requested`) until someone who knows
# confirms it: the secretariat, a confirmed contact of the organisation, or - at once - a verified e-mail address
# of the account at one of the organisation's declared domains. Only a confirmed membership shows the badge,
# allows organisation-only attribution, counts for trusted publishing and lets the person act for the
# organisation (expressions of interest in working groups).

MEMBERSHIP_FIELDS = ["organisation", "membership", "membership_requested_at", "membership_decided_by",
                     "membership_decided_at", "membership_reason", "organisation_contact"]
MEMBERSHIP_REASON_MAX_LENGTH = 1000
# The secretariat hears of a person's new request at most once an hour: switching organisations back and forth
# cannot flood its inbox (the queue always shows the current request).
REQUEST_MAIL_INTERVAL = timedelta(hours=1)


class _Claim:
    def __init__(self, before: dict, domain: str) -> None:
        self.before = before
        self.domain = domain


def _membership_state(profile: Profile) -> dict:
    return {"organisation": profile.organisation_id, "membership": profile.membership,
            "contact": profile.organisation_contact}


def matching_email_domain(user, organisation: Organisation | None) -> str:
    """The organisation's declared domain at which the user has a verified e-mail address ('' if none). Exact
    domains only, compared case-insensitively: a subdomain does not count."""
    domains = set(organisation.domain_list) if organisation is not None else set()
    if not domains or user is None or user.pk is None:
        return ""
    for address in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True):
        domain = email_domain(address)
        if domain in domains:
            return domain
    return ""


def _begin_membership(*, profile: Profile, organisation: Organisation | None) -> _Claim:
    """Put the (locked) profile's claim back to the start for `organisation`; the caller saves it."""
    before = _membership_state(profile)
    now = timezone.now()
    profile.organisation = organisation
    profile.membership = Membership.REQUESTED
    profile.membership_requested_at = now if organisation is not None else None
    profile.membership_decided_by = None
    profile.membership_decided_at = None
    profile.membership_reason = ""
    profile.organisation_contact = False
    domain = matching_email_domain(profile.user, organisation)
    if domain:
        profile.membership = Membership.CONFIRMED
        profile.membership_decided_at = now
    return _Claim(before, domain)


def _recently_notified(profile: Profile) -> bool:
    return AuditEntry.objects.filter(
        action="membership.request", target_type=ContentType.objects.get_for_model(Profile),
        target_id=str(profile.pk), created_at__gte=timezone.now() - REQUEST_MAIL_INTERVAL, after__notified=True,
    ).exists()


def _membership_requested(*, actor, profile: Profile, claim: _Claim) -> None:
    notify = bool(profile.organisation_id and not claim.domain and not _recently_notified(profile))
    audit_log(actor=actor, action="membership.request", target=profile, before=claim.before,
              after={**_membership_state(profile), "notified": notify})
    if claim.domain:
        audit_log(actor=None, action="membership.confirm", target=profile,
                  before={"membership": Membership.REQUESTED}, after=_membership_state(profile),
                  reason=f"verified e-mail address at {claim.domain}")
    if notify:
        _mail_reviewers(profile)


@transaction.atomic
def membership_request(*, actor, user, organisation: Organisation | None) -> Profile:
    """Naming an organisation asks to be recognised as its member: confirmed at once when one of the account's
    verified e-mail addresses is at a domain the organisation declared, otherwise requested until the secretariat
    or the organisation's contact decides (they are e-mailed). The person acts for themselves; staff who may
    change profiles act through the admin."""
    if actor.pk != user.pk and not actor.has_perm("hub.change_profile"):
        raise PermissionDenied(_("You can only edit your own profile."))
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    claim = _begin_membership(profile=profile, organisation=organisation)
    profile.save(update_fields=[*MEMBERSHIP_FIELDS, "updated_at"])
    _membership_requested(actor=actor, profile=profile, claim=claim)
    _forget_cached_profile(user)
    return profile


def _locked_profile(profile: Profile | int) -> Profile:
    return (Profile.objects.select_for_update(of=("self",)).select_related("organisation", "user")
            .get(pk=getattr(profile, "pk", profile)))


def _check_same_organisation(profile: Profile, organisation) -> None:
    expected = getattr(organisation, "pk", organisation)
    if expected is None or str(expected) != str(profile.organisation_id):
        raise ValidationError(_("This person has changed their organisation since the page was loaded. Look at "
                                "the request again."), code="changed")


@transaction.atomic
def membership_confirm(*, actor, profile: Profile | int, organisation: Organisation | int) -> Profile:
    """The secretariat, or a confirmed contact of the organisation, confirms that the person belongs to
    `organisation` (the one they saw; a request changed meanwhile is not confirmed). The person is e-mailed."""
    profile = _locked_profile(profile)
    check_decide_membership(actor, profile)
    _check_same_organisation(profile, organisation)
    if profile.membership == Membership.CONFIRMED:
        raise ValidationError(_("This membership is already confirmed."), code="decided")
    before = _membership_state(profile)
    profile.membership = Membership.CONFIRMED
    profile.membership_decided_by = actor
    profile.membership_decided_at = timezone.now()
    profile.membership_reason = ""
    profile.save(update_fields=["membership", "membership_decided_by", "membership_decided_at", "membership_reason",
                                "updated_at"])
    audit_log(actor=actor, action="membership.confirm", target=profile, before=before,
              after=_membership_state(profile))
    _mail_decision(profile)
    _forget_cached_profile(profile.user)
    return profile


@transaction.atomic
def membership_refuse(*, actor, profile: Profile | int, organisation: Organisation | int, reason: str) -> Profile:
    """The secretariat or the organisation's contact refuses a request, saying why (the secretariat may also
    revoke a confirmed membership). The person is e-mailed the reason; they are no longer its contact."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the person knows what to do.")})
    if len(reason) > MEMBERSHIP_REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep the reason to %(max)d characters (it has %(length)d).") % {
            "max": MEMBERSHIP_REASON_MAX_LENGTH, "length": len(reason)}})
    profile = _locked_profile(profile)
    check_decide_membership(actor, profile)
    _check_same_organisation(profile, organisation)
    if profile.membership == Membership.REFUSED:
        raise ValidationError(_("This membership is already refused."), code="decided")
    before = _membership_state(profile)
    profile.membership = Membership.REFUSED
    profile.membership_decided_by = actor
    profile.membership_decided_at = timezone.now()
    profile.membership_reason = reason
    profile.organisation_contact = False
    profile.save(update_fields=["membership", "membership_decided_by", "membership_decided_at", "membership_reason",
                                "organisation_contact", "updated_at"])
    audit_log(actor=actor, action="membership.refuse", target=profile, before=before,
              after=_membership_state(profile), reason=reason)
    _mail_decision(profile)
    _forget_cached_profile(profile.user)
    return profile


@transaction.atomic
def membership_contact_set(*, actor, profile: Profile | int, contact: bool) -> Profile:
    """The secretariat names (or stops naming) a confirmed member as their organisation's contact, who then
    decides colleagues' requests."""
    check_manage_memberships(actor)
    profile = _locked_profile(profile)
    if contact and not profile.membership_confirmed:
        raise ValidationError(_("Only a confirmed member can be the organisation's contact."))
    if profile.organisation_contact == contact:
        return profile
    before = _membership_state(profile)
    profile.organisation_contact = contact
    profile.save(update_fields=["organisation_contact", "updated_at"])
    audit_log(actor=actor, action="membership.contact", target=profile, before=before,
              after=_membership_state(profile))
    _forget_cached_profile(profile.user)
    return profile


@transaction.atomic
def membership_confirm_by_domain(*, actor=None, user) -> Profile | None:
    """When an account gets a verified e-mail address (allauth's email_confirmed), a pending request for an
    organisation that declared that address's domain is confirmed. A refused one stays refused."""
    profile = (Profile.objects.select_for_update(of=("self",)).select_related("organisation", "user")
               .filter(user=user).first())
    if profile is None or not profile.organisation_id or profile.membership != Membership.REQUESTED:
        return None
    domain = matching_email_domain(user, profile.organisation)
    if not domain:
        return None
    _confirm_by_domain(actor=actor, profile=profile, domain=domain)
    _forget_cached_profile(user)
    return profile


@transaction.atomic
def organisation_domains_apply(*, actor, organisation: Organisation) -> list[Profile]:
    """After the secretariat declares an organisation's e-mail domains, its pending requests from people with a
    verified address there are confirmed."""
    check_manage_memberships(actor)
    domains = set(organisation.domain_list)
    if not domains:
        return []
    pending = list(Profile.objects.select_for_update(of=("self",)).select_related("organisation", "user")
                   .filter(organisation=organisation, membership=Membership.REQUESTED))
    addresses: dict[int, set[str]] = {}
    for user_id, address in EmailAddress.objects.filter(
            user_id__in=[p.user_id for p in pending], verified=True).values_list("user_id", "email"):
        addresses.setdefault(user_id, set()).add(email_domain(address))
    confirmed = []
    for profile in pending:
        found = sorted(addresses.get(profile.user_id, set()) & domains)
        if found:
            _confirm_by_domain(actor=actor, profile=profile, domain=found[0])
            confirmed.append(profile)
    return confirmed


def _confirm_by_domain(*, actor, profile: Profile, domain: str) -> None:
    before = _membership_state(profile)
    profile.membership = Membership.CONFIRMED
    profile.membership_decided_by = None
    profile.membership_decided_at = timezone.now()
    profile.save(update_fields=["membership", "membership_decided_by", "membership_decided_at", "updated_at"])
    audit_log(actor=actor, action="membership.confirm", target=profile, before=before,
              after=_membership_state(profile), reason=f"verified e-mail address at {domain}")
    _mail_decision(profile)


def _mail_decision(profile: Profile) -> None:
    """Tell the person what was decided about their membership (after commit)."""
    user = profile.user
    if not user.email or not user.is_active:
        return
    with translation.override(preferred_language(user)):
        context = {"profile": profile, "organisation": profile.organisation, "site_name": settings.HUB_SITE_NAME,
                   "confirmed": profile.membership == Membership.CONFIRMED,
                   "profile_url": absolute_url(reverse("hub:profile"))}
        subject = render_to_string("hub/email/membership_decided_subject.txt", context).strip()
        body = render_to_string("hub/email/membership_decided.txt", context)
    send_on_commit(EmailMessage(subject=header_text(subject), body=body, to=[user.email]))


def _mail_reviewers(profile: Profile) -> None:
    """Tell the secretariat and the organisation's contacts a request waits (one e-mail each, after commit)."""
    recipients = [u.email for u in membership_reviewers(profile)] or [settings.HUB_CONTACT_EMAIL]
    context = {"profile": profile, "organisation": profile.organisation, "email": profile.user.email,
               "site_name": settings.HUB_SITE_NAME, "queue_url": absolute_url(reverse("hub:membership-queue"))}
    subject = render_to_string("hub/email/membership_requested_subject.txt", context).strip()
    body = render_to_string("hub/email/membership_requested.txt", context)
    send_many_on_commit(EmailMessage(subject=header_text(subject), body=body, to=[address]) for address in recipients)


@transaction.atomic
def contact_message_send(*, actor, name: str, email: str, subject: str, message: str) -> ContactMessage:
    """Store the message for staff and e-mail it to the site's contact address once the row is saved; the name and
    subject are kept on one line (no header injection), and a mail that cannot be sent leaves the stored message."""
    contact = ContactMessage.objects.create(
        name=header_text(name), email=email.strip(), subject=header_text(subject), message=message.strip(),
        user=actor if getattr(actor, "is_authenticated", False) else None,
    )
    mail = EmailMessage(
        subject=f"[{settings.HUB_SITE_NAME} contact] {contact.subject}",
        body=_("From: %(name)s <%(email)s>\n\n%(message)s\n") % {
            "name": contact.name, "email": contact.email, "message": contact.message},
        to=[settings.HUB_CONTACT_EMAIL],
        reply_to=[contact.email],
    )
    send_on_commit(mail)
    return contact
