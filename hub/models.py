"""The site-wide people layer: accounts, organisations, profiles, the contact inbox and the audit log."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
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


class Attribution(models.TextChoices):
    PERSON = "person", _("My name and organisation")
    ORGANISATION = "organisation", _("My organisation only")


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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.email

    def get_absolute_url(self) -> str:
        return reverse("hub:profile")

    @property
    def is_complete(self) -> bool:
        """Commenting needs a name and an organisation, so every comment can be attributed."""
        return bool(self.display_name.strip() and self.organisation_id)


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
