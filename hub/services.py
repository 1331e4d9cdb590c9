"""Writes of the people layer: every change goes through one of these functions."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from hub.audit import audit_log
from hub.mail import header_text, send_on_commit
from hub.models import Attribution, ContactMessage, Organisation, Profile, StakeholderGroup


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


@transaction.atomic
def profile_update(
    *, actor, user, display_name: str, organisation: Organisation | None, job_title: str = "", country: str = "",
    attribution: str = Attribution.PERSON,
) -> Profile:
    """Users edit only their own profile; staff go through the admin."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only edit your own profile."))
    if attribution not in Attribution.values:
        raise ValidationError({"attribution": _("Choose how your comments are attributed.")})
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    before = {"display_name": profile.display_name, "organisation": profile.organisation_id,
              "attribution": profile.attribution}
    profile.display_name = " ".join(display_name.split())
    profile.organisation = organisation
    profile.job_title = job_title.strip()
    profile.country = country.strip()
    profile.attribution = attribution
    profile.save(update_fields=["display_name", "organisation", "job_title", "country", "attribution", "updated_at"])
    audit_log(actor=actor, action="profile.update", target=profile, before=before,
              after={"display_name": profile.display_name, "organisation": profile.organisation_id,
                     "attribution": profile.attribution})
    if hasattr(user, "_hub_profile_cache"):
        del user._hub_profile_cache
    return profile


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
