"""The site-wide people layer: accounts, organisations, profiles, the contact inbox and the audit log."""
from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Our own user model from day one, so it can grow without a painful swap later."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class StakeholderGroup(models.TextChoices):
    MEMBER_STATE = "member_state", _("Member State")
    UN_ENTITY = "un_entity", _("UN entity")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    TRADE_UNION = "trade_union", _("Trade union")
    MIGRANT_LED = "migrant_led", _("Migrant-led organisation")
    ACADEMIA = "academia", _("Academia")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    OTHER = "other", _("Other")


def stakeholder_group_label(code: str) -> str:
    """The readable name of a stakeholder group code (as kept in comment snapshots); an unknown code as it is."""
    try:
        return str(StakeholderGroup(code).label)
    except ValueError:
        return code or ""


MAX_EMAIL_DOMAINS = 20
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
# Addresses anyone can open: declaring one for an organisation would let every stranger confirm themselves. Not a
# complete list, a guard against the obvious mistake.
PUBLIC_EMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "aol.com", "mail.com", "gmx.com", "gmx.net", "gmx.de", "web.de", "proton.me",
    "protonmail.com", "yandex.com", "yandex.ru", "mail.ru", "qq.com", "163.com", "zoho.com", "hotmail.fr",
    "yahoo.fr", "orange.fr", "free.fr", "laposte.net", "outlook.fr", "hotmail.es", "yahoo.es", "tutanota.com",
})


def normalise_domain(domain: str) -> str:
    """A domain as compared: trimmed, lower case, without a final dot, international names in their ASCII form."""
    domain = (domain or "").strip().lower().rstrip(".")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def email_domain(email: str) -> str:
    """The normalised domain of an e-mail address ('' when it has none)."""
    _local, at, domain = (email or "").rpartition("@")
    return normalise_domain(domain) if at else ""


def parse_email_domains(text: str) -> list[str]:
    """The declared domains, one per line or separated by commas or spaces; raises ValidationError naming the bad
    ones (not a domain, a public mail provider, too many)."""
    found: list[str] = []
    bad: list[str] = []
    public: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        if not raw:
            continue
        domain = normalise_domain(raw.lstrip("@"))
        if not _DOMAIN_RE.match(domain):
            bad.append(raw[:100])
        elif domain in PUBLIC_EMAIL_DOMAINS:
            public.append(domain)
        elif domain not in found:
            found.append(domain)
    errors = []
    if bad:
        errors.append(ValidationError(_("Not a domain name: %(domains)s. Write domains like example.org, without "
                                        "the @ or a name before it.") % {"domains": ", ".join(bad[:5])}))
    if public:
        errors.append(ValidationError(_("%(domains)s: anyone can open an address there, so it cannot confirm "
                                        "membership.") % {"domains": ", ".join(public)}))
    if len(found) > MAX_EMAIL_DOMAINS:
        errors.append(ValidationError(_("At most %(n)d domains.") % {"n": MAX_EMAIL_DOMAINS}))
    if errors:
        raise ValidationError(errors)
    return found


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    stakeholder_group = models.CharField(_("stakeholder group"), max_length=20, choices=StakeholderGroup.choices)
    country = models.CharField(_("country"), max_length=100, blank=True)
    network_member = models.BooleanField(
        _("network member"), default=False, help_text=_("Members show the network badge beside their comments.")
    )
    badge = models.CharField(
        _("badge"), max_length=40, blank=True, default="UN Network",
        help_text=_("Shown beside members' names, e.g. 'UN Network'. Only shown for network members."),
    )
    verified = models.BooleanField(_("verified"), default=False, help_text=_("Set by staff once the organisation is confirmed."))
    website = models.URLField(_("website"), blank=True)
    email_domains = models.TextField(
        _("e-mail domains"), blank=True, max_length=2000,
        help_text=_("One per line, e.g. iom.int. A person whose verified e-mail address is at exactly one of these "
                    "domains (not a subdomain) is confirmed as a member at once. Leave empty to confirm every "
                    "member by hand."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def shown_badge(self) -> str:
        """The badge a reader sees: only network members carry one."""
        return self.badge if self.network_member else ""

    @property
    def domain_list(self) -> list[str]:
        """The declared e-mail domains (those that pass validation; the admin form refuses the others)."""
        try:
            return parse_email_domains(self.email_domains)
        except ValidationError:
            return []

    def clean(self) -> None:
        """Domains are valid, and no two organisations declare the same one (it would confirm people for both)."""
        super().clean()
        try:
            domains = parse_email_domains(self.email_domains)
        except ValidationError as exc:
            raise ValidationError({"email_domains": exc.messages}) from None
        taken = []
        others = Organisation.objects.exclude(pk=self.pk).exclude(email_domains="").only("name", "email_domains")
        for other in others:
            for domain in set(domains) & set(other.domain_list):
                taken.append(_("%(domain)s is already declared by %(organisation)s.") % {
                    "domain": domain, "organisation": other.name})
        if taken:
            raise ValidationError({"email_domains": taken})
        self.email_domains = "\n".join(domains)


class Attribution(models.TextChoices):
    PERSON = "person", _("My name and organisation")
    ORGANISATION = "organisation", _("My organisation only")


class Membership(models.TextChoices):
    """Whether the organisation a person names is confirmed to be theirs."""

    REQUESTED = "requested", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("full name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="profiles",
        verbose_name=_("organisation"),
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    attribution = models.CharField(
        _("how to show my comments"), max_length=20, choices=Attribution.choices, default=Attribution.PERSON
    )
    # The organisation above is a claim until confirmed (hub.services.membership_*): by the secretariat, by a
    # confirmed contact of the organisation, or by a verified e-mail address at one of its declared domains.
    membership = models.CharField(_("membership"), max_length=10, choices=Membership.choices,
                                  default=Membership.REQUESTED)
    membership_requested_at = models.DateTimeField(_("membership requested at"), null=True, blank=True)
    membership_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+",
                                              verbose_name=_("membership decided by"))
    membership_decided_at = models.DateTimeField(_("membership decided at"), null=True, blank=True)
    membership_reason = models.TextField(_("reason for refusing the membership"), blank=True, max_length=1000)
    organisation_contact = models.BooleanField(
        _("organisation contact"), default=False,
        help_text=_("Set by the secretariat: a confirmed member who confirms or refuses colleagues' requests."))
    # Notices sent to many people at once (new questions, opening and closing) are written in this language; empty
    # means the site's default (LANGUAGE_CODE).
    language = models.CharField(_("language of e-mails"), max_length=10, choices=settings.LANGUAGES, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        permissions = [("confirm_membership", "Can confirm or refuse membership of organisations")]
        indexes = [models.Index(fields=["membership", "membership_requested_at"], name="profile_membership_idx")]

    def __str__(self) -> str:
        return self.display_name or self.user.email

    def get_absolute_url(self) -> str:
        return reverse("hub:profile")

    @property
    def is_complete(self) -> bool:
        """Commenting needs a name and an organisation, so every comment can be attributed. A declared organisation
        (membership not yet confirmed) is enough: such comments are attributed to the person by name."""
        return bool(self.display_name.strip() and self.organisation_id)

    @property
    def membership_confirmed(self) -> bool:
        """The person is a confirmed member of the organisation they name."""
        return bool(self.organisation_id and self.membership == Membership.CONFIRMED)

    @property
    def confirmed_organisation(self) -> Organisation | None:
        """The organisation, only once the membership is confirmed: what anything acting for it must use."""
        return self.organisation if self.membership_confirmed else None

    @property
    def is_organisation_contact(self) -> bool:
        """A confirmed member the secretariat marked as the organisation's contact."""
        return self.membership_confirmed and self.organisation_contact


class ContactMessage(models.Model):
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"), max_length=5000)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")

    def __str__(self) -> str:
        return f"{self.subject} — {self.name}"


class AuditEntry(models.Model):
    """One action in the append-only audit log: who did what to which object, before and after, and why."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField(max_length=40, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"
