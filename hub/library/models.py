"""The knowledge hub's library: resources that users submit and a roster of experts peer reviews before the
secretariat publishes them, the published criteria reviews score, and the roster itself."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from hub.models import Organisation
from workplan.models import GcmObjective, Priority

SCORE_MIN, SCORE_MAX = 1, 5


class Language(models.Model):
    """A language a resource is in or a reviewer reads (reference data; the secretariat may add more)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True, help_text=_("ISO 639-1, e.g. 'fr'."))
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The language's name in the reader's language when Django knows it, otherwise the stored name."""
        try:
            return str(get_language_info(self.code)["name_translated"])
        except KeyError:
            return self.name


class ResourceType(models.TextChoices):
    POLICY_BRIEF = "policy_brief", _("Policy brief")
    JOURNAL_ARTICLE = "journal_article", _("Journal article")
    REPORT = "report", _("Report")
    PORTAL = "portal", _("Portal or platform")
    INFOGRAPHIC = "infographic", _("Infographic")
    VIDEO = "video", _("Video")
    PRACTICE = "practice", _("Existing practice")
    OTHER = "other", _("Other")


class Scope(models.TextChoices):
    """Comprehensive and global resources are listed before regional ones, and those before national ones."""

    GLOBAL = "global", _("Global")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")


SCOPE_RANK = {Scope.GLOBAL: 0, Scope.REGIONAL: 1, Scope.NATIONAL: 2}


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas and the Caribbean")
    ARAB_STATES = "arab_states", _("Arab States, Middle East and North Africa")
    ASIA_PACIFIC = "asia_pacific", _("Asia and the Pacific")
    EUROPE = "europe", _("Europe and Central Asia")


def resource_file_path(instance: "Resource", filename: str) -> str:
    # A random folder: names are never guessed, and two files with one name never collide.
    return f"library/{uuid.uuid4().hex}/{filename}"


class Resource(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for reviewers")
        IN_REVIEW = "in_review", _("In peer review")
        REVISION = "revision", _("Revision requested")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Not accepted")

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), help_text=_("Sanitized HTML."))
    type = models.CharField(_("type"), max_length=20, choices=ResourceType.choices)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=resource_file_path, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_type = models.CharField(_("file type"), max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size in bytes"), null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    languages = models.ManyToManyField(Language, related_name="resources", verbose_name=_("languages"))
    scope = models.CharField(_("geographic scope"), max_length=10, choices=Scope.choices)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("publication year"), null=True, blank=True)
    publisher = models.CharField(_("publishing organisation"), max_length=200)
    gcm_objectives = models.ManyToManyField(GcmObjective, blank=True, related_name="library_resources",
                                            verbose_name=_("GCM objectives"))
    priorities = models.ManyToManyField(Priority, blank=True, related_name="library_resources",
                                        verbose_name=_("workplan priorities"))
    licence = models.CharField(_("licence or source"), max_length=300, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # Each resubmission after a revision request opens a new review round with new reviews.
    round = models.PositiveSmallIntegerField(_("review round"), default=1)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="library_submissions")
    # Snapshots taken at submission: who submitted for which organisation (claimed or confirmed; not a refused
    # claim) survives profile changes, and no reviewer from that organisation may review the resource.
    submitter_name = models.CharField(_("submitted by"), max_length=150, blank=True)
    submitter_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                               related_name="+", verbose_name=_("submitter's organisation"))
    # Readers see the organisation only if the submitter's membership was confirmed when they submitted.
    submitter_organisation_confirmed = models.BooleanField(_("membership confirmed"), default=False)
    imported = models.BooleanField(_("imported"), default=False,
                                   help_text=_("Brought in from an earlier collection rather than submitted here."))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.TextField(_("message to the submitter"), blank=True)
    published_at = models.DateTimeField(_("reviewed and published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [("manage_library", "Can manage the library: peer review, roster, criteria, import, export")]
        indexes = [models.Index(fields=["status", "scope", "published_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(url="", file=""), name="resource_has_link_or_file"),
            models.CheckConstraint(condition=~Q(scope="regional", region=""), name="regional_resource_has_region"),
            models.CheckConstraint(condition=~Q(scope="national", country=""), name="national_resource_has_country"),
        ]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:resource-detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def where(self) -> str:
        """Global, the region, or the country: what a reader needs to place the resource."""
        if self.scope == Scope.REGIONAL:
            return self.get_region_display()
        if self.scope == Scope.NATIONAL:
            return self.country
        return self.get_scope_display()


class Criterion(models.Model):
    """One of the published criteria: shown on the submission form and scored by every review."""

    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what it means"), max_length=1000, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True,
                                 help_text=_("Criteria no longer in use stay on the reviews that scored them."))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")

    def __str__(self) -> str:
        return self.name


class CriteriaPage(models.Model):
    """The page that introduces the criteria (one row, edited by the secretariat)."""

    intro = models.TextField(_("introduction"), blank=True, help_text=_("Sanitized HTML."))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("criteria page")
        verbose_name_plural = _("criteria page")

    def __str__(self) -> str:
        return str(_("Criteria for resources"))


class RosterMember(models.Model):
    """An expert's application to join the peer review roster; once accepted, a member of the roster."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Application waiting for a decision")
        ACCEPTED = "accepted", _("On the roster")
        DECLINED = "declined", _("Application declined")
        LEFT = "left", _("No longer on the roster")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_roster")
    name = models.CharField(_("name"), max_length=150)
    # The organisation of the applicant's profile when they applied; the conflict rule checks the current
    # profile too.
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("organisation"))
    affiliation = models.CharField(_("affiliation"), max_length=200)
    expertise = models.ManyToManyField(GcmObjective, related_name="+", verbose_name=_("areas of expertise"))
    languages = models.ManyToManyField(Language, related_name="+", verbose_name=_("languages"))
    cv = models.TextField(_("short CV"), max_length=3000, blank=True)
    cv_url = models.URLField(_("link to a CV or profile"), max_length=500, blank=True)
    conflicts = models.TextField(_("interests to declare"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(status__in=["applied", "accepted"]),
                                    name="one_open_roster_application_per_user"),
        ]
        verbose_name = _("roster member")
        verbose_name_plural = _("peer review roster")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class Review(models.Model):
    """A roster member's assignment to review one round of a resource, and the review once submitted."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Waiting for the review")
        SUBMITTED = "submitted", _("Review submitted")
        DECLINED = "declined", _("Declined by the reviewer")
        CANCELLED = "cancelled", _("Withdrawn by the secretariat")

    class Recommendation(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        REVISE = "revise", _("Revise and resubmit")
        REJECT = "reject", _("Reject")

    class DeclineReason(models.TextChoices):
        CONFLICT = "conflict", _("I have a conflict of interest")
        UNAVAILABLE = "unavailable", _("I am not available in time")
        EXPERTISE = "expertise", _("It is outside my expertise")
        OTHER = "other", _("Another reason")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(RosterMember, on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("review round"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField(_("due"))
    no_conflict = models.BooleanField(_("declared no conflict of interest"), default=False)
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices, blank=True)
    comments_for_submitter = models.TextField(_("comments for the submitter"), max_length=5000, blank=True)
    comments_for_secretariat = models.TextField(_("comments for the secretariat"), max_length=5000, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=12, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(_("note"), max_length=2000, blank=True)
    closed_at = models.DateTimeField(_("submitted, declined or withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["resource", "round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "reviewer", "round"], name="one_review_per_reviewer_and_round"),
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.reviewer.name} → {self.resource} (round {self.round})"

    def get_absolute_url(self) -> str:
        return reverse("library:review", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ASSIGNED


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="score_in_range"),
        ]
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
