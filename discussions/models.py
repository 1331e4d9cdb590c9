"""Consultation spaces, the moderator's questions, threaded attributed comments and what hangs off them."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from hub.languages import OTHER as OTHER_LANGUAGE, content_language_choices, language_direction, language_label
from workplan.models import Priority, Workplan, WorkingGroup


class Discussion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    class Moderation(models.TextChoices):
        PRE = "pre", _("Pre-moderation: comments are published after review")
        POST = "post", _("Post-moderation: comments are published at once and reviewed afterwards")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    welcome = models.TextField(_("welcome text"), blank=True, help_text=_("Sanitized HTML."))
    workplan = models.ForeignKey(Workplan, null=True, blank=True, on_delete=models.SET_NULL, related_name="discussions")
    moderators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="moderated_discussions",
                                        verbose_name=_("moderators"))
    expected_audience = models.CharField(_("expected audience"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_('For example ["English", "French"].'))
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    moderation = models.CharField(_("moderation"), max_length=4, choices=Moderation.choices, default=Moderation.PRE)
    attachments_allowed = models.BooleanField(_("attachments allowed"), default=True)
    help_url = models.URLField(_("help link"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # Moderation settings (the rules read them in discussions/permissions.py and discussions/moderation/).
    auto_hide_flags = models.PositiveSmallIntegerField(
        _("hide after this many reports"), default=3, help_text=_("0 turns automatic hiding off."))
    trust_verified_organisations = models.BooleanField(
        _("publish at once for verified organisations"), default=False)
    trust_after_published = models.PositiveSmallIntegerField(
        _("publish at once after this many published comments"), null=True, blank=True)
    # The responses the secretariat records on its pages (Disposition) are public only when this is on.
    publish_responses = models.BooleanField(_("publish the secretariat's responses"), default=False)
    # When the followers were told that the discussion opened, closes in three days, and closed by its dates
    # (discussions.notifications.send_discussion_date_notices): each notice goes out once, however often it runs.
    opened_notice_sent_at = models.DateTimeField(_("opening notice sent at"), null=True, blank=True, editable=False)
    closing_reminder_sent_at = models.DateTimeField(_("closing reminder sent at"), null=True, blank=True,
                                                    editable=False)
    closed_notice_sent_at = models.DateTimeField(_("closing notice sent at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opens_at", "title"]
        permissions = [
            ("moderate_discussion", "Can moderate every discussion"),
            ("export_feedback", "Can export feedback and record responses"),
        ]
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")

    def __str__(self) -> str:
        return self.title

    @property
    def language_names(self) -> list[str]:
        """The discussion's languages named in the reader's language where the site knows them."""
        return [language_label(str(value)) for value in self.languages or []]

    def get_absolute_url(self) -> str:
        return reverse("discussions:discussion-detail", kwargs={"slug": self.slug})

    def effective_status(self, now=None) -> str:
        """The status readers see: an open discussion past its closing time is closed, with no cron job."""
        now = now or timezone.now()
        if self.status == self.Status.OPEN:
            if self.closes_at and now >= self.closes_at:
                return self.Status.CLOSED
            if self.opens_at and now < self.opens_at:
                return self.Status.DRAFT
        return self.status

    @property
    def is_open(self) -> bool:
        return self.effective_status() == self.Status.OPEN

    def next_status_change(self, now=None):
        """When effective_status() will next change by itself (opening or closing time), or None."""
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return None
        return min((t for t in (self.opens_at, self.closes_at) if t and t > now), default=None)


class Milestone(models.Model):
    """A line of the discussion's timeline, e.g. 'Discussed at the annual meeting'."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return f"{date_format(self.date, 'DATE_FORMAT')}: {self.label}"


class DiscussionDocument(models.Model):
    """A document under discussion (the draft workplan): an uploaded file or a link."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="discussion-documents/", blank=True)
    url = models.URLField(_("link"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("question"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    posted_by_name = models.CharField(_("posted by"), max_length=150, blank=True)
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    locked = models.BooleanField(_("locked"), default=False)
    source_id = models.CharField(max_length=64, blank=True, help_text=_("Its id in an imported file."))

    class Meta:
        ordering = ["discussion", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "source_id"], condition=~Q(source_id=""),
                                    name="question_unique_source_id"),
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return f"{self.discussion.get_absolute_url()}#question-{self.pk}"


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        DECLINED = "declined", _("Declined")
        HIDDEN = "hidden", _("Hidden")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    depth = models.PositiveSmallIntegerField(default=0, help_text=_("0 for an answer, 1 for a reply to it, ..."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="comments")
    # Attribution snapshot taken at posting time: survives profile changes and account deletion.
    author_name = models.CharField(_("author name"), max_length=150, blank=True)
    author_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    author_stakeholder_group = models.CharField(_("stakeholder group"), max_length=20, blank=True)
    author_country = models.CharField(_("country"), max_length=100, blank=True)
    author_badge = models.CharField(_("badge"), max_length=40, blank=True)
    # Whether the author's membership of author_organisation was confirmed when they posted; an unconfirmed
    # organisation is shown marked as such, without badge, and never alone in place of the person's name.
    author_organisation_confirmed = models.BooleanField(_("organisation confirmed"), default=False)
    show_personal_name = models.BooleanField(_("personal name shown"), default=True)
    body = models.TextField(_("comment"), help_text=_("Sanitized HTML."))
    body_text = models.TextField(_("comment as plain text"), blank=True)
    # What the author wrote in (one of the site's languages or "other"); empty for comments from before it was
    # asked. Rendered as the body's `lang`, so a screen reader and a translator know; the interface never changes it.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=content_language_choices)
    # The body as each language shows it, priority mentions linked, made when it is saved (and again when the
    # workplan's priorities change): {language: [key, html or None when it is the body itself]}. A copy whose key
    # does not match is ignored, so it can be out of date but never shown stale (discussions.rendering.body_html).
    body_display = models.JSONField(_("comment as shown"), default=dict, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    priorities = models.ManyToManyField(Priority, blank=True, related_name="comments", verbose_name=_("priorities"))
    working_groups = models.ManyToManyField(WorkingGroup, blank=True, related_name="comments",
                                            verbose_name=_("working groups"))
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    edit_count = models.PositiveSmallIntegerField(_("edits"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Moderation outcome (the verbs of discussions/moderation/ write these).
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    highlighted = models.BooleanField(_("highlighted by the moderator"), default=False)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    # One comment per submitted form, however often it is posted (double click, reload).
    submission_key = models.UUIDField(null=True, blank=True, unique=True)
    source_id = models.CharField(max_length=64, blank=True, help_text=_("Its id in an imported file."))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["discussion", "status", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
            models.Index(fields=["author", "status"], name="comment_author_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "source_id"], condition=~Q(source_id=""),
                                    name="comment_unique_source_id"),
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    @property
    def language_tag(self) -> str:
        """The body's `lang` attribute: the language's code, or "" (unknown) for another or an unrecorded one."""
        return "" if self.language in ("", OTHER_LANGUAGE) else self.language

    @property
    def language_dir(self) -> str:
        """The body's `dir`: "auto" when the language is unknown, so the browser reads it from the text."""
        return language_direction(self.language) if self.language_tag else "auto"

    def __str__(self) -> str:
        return f"#{self.pk} {self.shown_name}: {self.body_text[:60]}"

    def get_absolute_url(self) -> str:
        return f"{reverse('discussions:discussion-detail', kwargs={'slug': self.discussion.slug})}#comment-{self.pk}"

    @property
    def shown_name(self) -> str:
        """The name readers see: the person's, or only the organisation if the author chose so; a comment known only
        by its affiliation badge (an imported one, e.g. "UN Network") shows the badge."""
        if self.show_personal_name and self.author_name:
            return self.author_name
        return self.author_organisation or self.author_name or self.author_badge


class CommentVersion(models.Model):
    """An earlier text of a comment, kept whenever its author or a moderator edits it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="versions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    edited_by_name = models.CharField(max_length=150, blank=True)
    by_moderator = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment", "created_at", "id"]
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")

    def __str__(self) -> str:
        return f"Version of #{self.comment_id} from {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Stored under a random name: the original name is kept in the row, never used on disk."""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("discussions:attachment-download", kwargs={"pk": self.pk})


class Subscription(models.Model):
    """A user follows a discussion: e-mails on replies to their comments and on new questions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_subscriptions")
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "discussion"], name="subscription_unique")]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.user} follows {self.discussion}"


class Flag(models.Model):
    """A reader's report of a published comment."""

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("Offensive or abusive")
        SPAM = "spam", _("Spam or advertising")
        OFF_TOPIC = "off_topic", _("Off topic")
        PERSONAL_DATA = "personal_data", _("Reveals personal data")
        OTHER = "other", _("Other")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=1000, blank=True)
    # Whether the reporter was an established account when reporting (discussions.permissions.counts_toward_auto_hide):
    # only such reports count toward Discussion.auto_hide_flags; the others wait for a moderator like any report.
    counts_toward_auto_hide = models.BooleanField(_("counts toward automatic hiding"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="flag_one_per_reporter")]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"Report on #{self.comment_id}: {self.get_reason_display()}"


class ModeratorNote(models.Model):
    """An internal note on a comment, for moderators only: never shown to its author or the public."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="moderator_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150, blank=True)
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("moderator note")
        verbose_name_plural = _("moderator notes")

    def __str__(self) -> str:
        return f"Note on #{self.comment_id}"


class Disposition(models.Model):
    """The secretariat's response to a published comment: what became of it in the final workplan."""

    class Outcome(models.TextChoices):
        TAKEN_UP = "taken_up", _("Taken up")
        PARTLY = "partly", _("Partly taken up")
        NOT_TAKEN_UP = "not_taken_up", _("Not taken up")
        OUT_OF_SCOPE = "out_of_scope", _("Out of scope")

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="disposition")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"#{self.comment_id}: {self.get_outcome_display()}"
