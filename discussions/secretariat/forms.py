"""The export page's filter form (ids are parsed by hub.forms' id fields, which refuse ids too large for the database)."""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from discussions.models import Comment, Discussion, Question
from discussions.secretariat.selectors import STATUS_ALL, STATUS_PUBLISHED, ExportFilters, organisations_in_comments
from hub.languages import content_language_choices
from hub.forms import IdChoiceField, IdMultipleChoiceField
from hub.models import StakeholderGroup, stakeholder_group_label
from workplan.models import Priority, WorkingGroup

class _PriorityChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Priority) -> str:
        # Priorities of every workplan are listed, so each names its workplan too.
        return f"{obj.choice_label} ({obj.workplan.title})"


class _QuestionChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Question) -> str:
        text = obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"
        return f"{obj.discussion.title}: {text}"


class ExportFilterForm(forms.Form):
    """The export page's filters. Sent with GET, so a selection is a link that can be shared and reloaded."""

    STATUS_CHOICES = [
        (STATUS_PUBLISHED, _("Published only")),
        (STATUS_ALL, _("All statuses")),
        *[(value, label) for value, label in Comment.Status.choices if value != STATUS_PUBLISHED],
    ]

    discussion = IdMultipleChoiceField(
        label=_("Discussions"), required=False, queryset=Discussion.objects.order_by("title"),
        help_text=_("None chosen means all discussions."), widget=forms.SelectMultiple(attrs={"size": 4}))
    question = _QuestionChoiceField(
        label=_("Question"), required=False, empty_label=_("Any question"),
        queryset=Question.objects.select_related("discussion").order_by("discussion__title", "order", "id"))
    priority = _PriorityChoiceField(
        label=_("Priority"), required=False, empty_label=_("Any priority"),
        queryset=Priority.objects.select_related("workplan").order_by("workplan__title", "kind", "number"))
    working_group = IdChoiceField(
        label=_("Working group"), required=False, empty_label=_("Any working group"),
        queryset=WorkingGroup.objects.order_by("name"))
    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group"), required=False,
        choices=[("", _("Any stakeholder group")), *StakeholderGroup.choices])
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, initial=STATUS_PUBLISHED)
    language = forms.ChoiceField(label=_("Language of the comment"), required=False,
                                 choices=lambda: [("", _("Any language")), *content_language_choices()])
    date_from = forms.DateField(label=_("Posted from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Posted until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("Inclusive."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Any organisation"))] + [
            (name, name) for name in organisations_in_comments()]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def to_filters(self) -> ExportFilters:
        """The selection this (valid) form describes."""
        data = self.cleaned_data
        return ExportFilters(
            discussion_ids=tuple(sorted(d.pk for d in data.get("discussion") or [])),
            question_id=data["question"].pk if data.get("question") else None,
            priority_id=data["priority"].pk if data.get("priority") else None,
            working_group_id=data["working_group"].pk if data.get("working_group") else None,
            stakeholder_group=data.get("stakeholder_group") or "",
            organisation=data.get("organisation") or "",
            status=data.get("status") or STATUS_PUBLISHED,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            language=data.get("language") or "",
            described=self._described(),
        )

    def _described(self) -> tuple[str, ...]:
        """One line per filter in use, "Label: value", for the summary sheet."""
        described = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not value:
                continue
            if name == "discussion":
                value = ", ".join(d.title for d in value)
            elif name == "stakeholder_group":
                value = stakeholder_group_label(value)
            elif name in ("status", "language"):
                value = dict(field.choices).get(value, value)
            elif name in ("question", "priority"):
                value = field.label_from_instance(value)
            described.append(f"{field.label}: {value}")
        return tuple(described)

    def query_string(self) -> str:
        """The submitted filters as a query string, for the download links."""
        if not self.is_bound:
            return ""
        pairs = [(key, value) for key in self.fields for value in self.data.getlist(key) if value != ""] \
            if hasattr(self.data, "getlist") else [(k, v) for k, v in self.data.items() if v != ""]
        return urlencode(pairs)


class ImportUploadForm(forms.Form):
    """The bundle to import: a .zip with consultation.json and the attachments, or consultation.json alone."""

    bundle = forms.FileField(label=_("Bundle"), help_text=_(
        "A .zip holding consultation.json and the attachment files, or a consultation.json file alone."))

    def __init__(self, *args, max_bytes: int, too_large: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.too_large = too_large

    def clean(self):
        if self.too_large:
            # The upload handler stopped storing it, so the field itself arrives empty.
            self.errors.pop("bundle", None)
            raise forms.ValidationError(self.too_large_message(), code="too_large")
        return super().clean()

    def clean_bundle(self):
        bundle = self.cleaned_data["bundle"]
        if bundle.size > self.max_bytes:
            raise forms.ValidationError(self.too_large_message(), code="too_large")
        return bundle

    def too_large_message(self) -> str:
        from django.template.defaultfilters import filesizeformat

        return _("The file is larger than %(limit)s, the largest bundle this site accepts.") % {
            "limit": filesizeformat(self.max_bytes)}


class ImportConfirmForm(forms.Form):
    """The import's explicit options: nothing existing is changed, and nobody made a moderator, unless ticked. The
    check's page (templates/discussions/secretariat/_import_findings.html) offers only the options that apply, so
    it writes the checkboxes and their labels itself."""

    update_existing = forms.BooleanField(required=False)
    grant_moderators = forms.BooleanField(required=False)
    strict = forms.BooleanField(required=False)
