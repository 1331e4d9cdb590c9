"""The workplan under consultation: its priorities, working groups, the GCM objectives they serve, and
organisations' expressions of interest in joining a working group."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hub.models import Organisation
from workplan.validators import validate_workplan_document

# Paths under /workplan/ that a workplan slug must not take.
RESERVED_SLUGS = {"interest", "objectives"}


class GcmObjective(models.Model):
    """One of the 23 objectives of the Global Compact for Migration (reference data, loaded by a migration)."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["number"]
        verbose_name = _("GCM objective")
        verbose_name_plural = _("GCM objectives")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("workplan:objective-detail", kwargs={"number": self.number})


class Workplan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    period_start = models.PositiveSmallIntegerField(_("first year"))
    period_end = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Sanitized HTML."))
    document = models.FileField(_("document"), upload_to="workplans/", blank=True,
                                validators=[validate_workplan_document], help_text=_("PDF or Word (.docx), at most 20 MB."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "title"]
        permissions = [("manage_workplan", "Can manage workplans, priorities, working groups and interest")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="workplan_period_order"),
        ]
        verbose_name = _("workplan")
        verbose_name_plural = _("workplans")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is used by the site; choose another slug.")})

    def get_absolute_url(self) -> str:
        return reverse("workplan:workplan-detail", kwargs={"slug": self.slug})

    @property
    def period(self) -> str:
        return f"{self.period_start}-{self.period_end}"


class Priority(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("New")
        ONGOING = "ongoing", _("Ongoing")

    CODE_PREFIX = {Kind.NEW: "NP", Kind.ONGOING: "OP"}

    workplan = models.ForeignKey(Workplan, on_delete=models.CASCADE, related_name="priorities")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("number within its kind"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Sanitized HTML."))
    gcm_objectives = models.ManyToManyField(GcmObjective, blank=True, related_name="priorities",
                                            verbose_name=_("GCM objectives"))
    pd_references = models.CharField(_("Progress Declaration paragraphs"), max_length=200, blank=True,
                                     help_text=_("For example: PD 51, 59"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    is_example = models.BooleanField(_("invented example"), default=False,
                                     help_text=_("Demo data that is not from the real workplan."))

    class Meta:
        ordering = ["workplan", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["workplan", "kind", "number"], name="priority_unique_number")]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        """NP5 for New Priority 5, OP3 for Ongoing Priority 3."""
        return f"{self.CODE_PREFIX[self.kind]}{self.number}"

    @property
    def label(self) -> str:
        return f"{self.get_kind_display()} Priority {self.number}"

    @property
    def choice_label(self) -> str:
        """How a priority is named in every list to choose from: "NP5 — Title"."""
        return f"{self.code} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("workplan:priority-detail", kwargs={"slug": self.workplan.slug, "code": self.code.lower()})


class WorkingGroup(models.Model):
    class Kind(models.TextChoices):
        WORKING_GROUP = "working_group", _("Working group")
        WORKSTREAM = "workstream", _("Workstream")

    workplan = models.ForeignKey(Workplan, on_delete=models.CASCADE, related_name="working_groups")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKING_GROUP)
    priorities = models.ManyToManyField(Priority, blank=True, related_name="working_groups", verbose_name=_("priorities"))
    co_leads = models.ManyToManyField(Organisation, blank=True, related_name="co_led_groups", verbose_name=_("co-leads"))
    members = models.ManyToManyField(Organisation, blank=True, related_name="member_of_groups", verbose_name=_("members"))
    description = models.TextField(_("description"), blank=True, help_text=_("Sanitized HTML."))
    open_for_interest = models.BooleanField(_("open for expressions of interest"), default=True)

    class Meta:
        ordering = ["workplan", "name"]
        constraints = [models.UniqueConstraint(fields=["workplan", "slug"], name="working_group_unique_slug")]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workplan:working-group-detail", kwargs={"slug": self.workplan.slug, "group": self.slug})


class InterestExpression(models.Model):
    """An organisation's wish to join a working group, decided by the secretariat."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        CO_LEAD = "co_lead", _("Co-lead")
        OBSERVER = "observer", _("Observer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    working_group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="interest_expressions")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="interest_expressions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(_("as"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "working_group"], condition=Q(status="pending"),
                                    name="one_open_interest_per_organisation_and_group"),
        ]
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")

    def __str__(self) -> str:
        return f"{self.organisation} → {self.working_group} ({self.get_status_display()})"
