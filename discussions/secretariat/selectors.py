"""Which comments a feedback export covers: the secretariat's filter form and the selector that applies it.

The form, the management command and the tests all describe a selection as an `ExportFilters` value, so the
web page, the command line and the downloads can never disagree about which comments match.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discussions.models import Comment, Discussion, Question
from hub.models import StakeholderGroup
from workplan.models import Priority, WorkingGroup

STATUS_PUBLISHED = Comment.Status.PUBLISHED.value
STATUS_ALL = "all"


@dataclass(frozen=True)
class ExportFilters:
    """A selection of comments. Empty fields do not filter; `status` is a Comment.Status value or "all"."""

    discussion_ids: tuple[int, ...] = ()
    question_id: int | None = None
    priority_id: int | None = None
    working_group_id: int | None = None
    stakeholder_group: str = ""
    organisation: str = ""
    status: str = STATUS_PUBLISHED
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # Human-readable lines describing the filters, for the summary sheet.
    described: tuple[str, ...] = field(default=(), compare=False)


def comments_for_export(filters: ExportFilters) -> QuerySet[Comment]:
    """Comments matching the filters, oldest first; only published ones unless another status is asked for."""
    qs = Comment.objects.all()
    if filters.discussion_ids:
        qs = qs.filter(discussion_id__in=filters.discussion_ids)
    if filters.question_id:
        qs = qs.filter(question_id=filters.question_id)
    if filters.priority_id:
        # A subquery rather than a join, so a comment naming two priorities is never counted twice.
        qs = qs.filter(pk__in=Comment.priorities.through.objects.filter(priority_id=filters.priority_id)
                       .values("comment_id"))
    if filters.working_group_id:
        qs = qs.filter(pk__in=Comment.working_groups.through.objects.filter(workinggroup_id=filters.working_group_id)
                       .values("comment_id"))
    if filters.stakeholder_group:
        qs = qs.filter(author_stakeholder_group=filters.stakeholder_group)
    if filters.organisation:
        qs = qs.filter(author_organisation=filters.organisation)
    if filters.status != STATUS_ALL:
        qs = qs.filter(status=filters.status or STATUS_PUBLISHED)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(created_at__gte=datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=tz))
    if filters.date_to:
        # The end date is inclusive: everything before the following midnight.
        end = datetime.datetime.combine(filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("created_at", "id")


def organisations_in_comments() -> list[str]:
    """The organisation names comments are attributed to (the snapshot), for the organisation filter."""
    return list(Comment.objects.exclude(author_organisation="").order_by("author_organisation")
                .values_list("author_organisation", flat=True).distinct())


# The largest primary key any database here stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A positive primary key from a query parameter, or None for anything else (text, 0, or a number too large for
    the database, which would otherwise fail the query with an overflow)."""
    text = str(value or "").strip()
    if not text.isdecimal() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class _DiscussionsField(forms.ModelMultipleChoiceField):
    """Discussions by id. Django looks every submitted id up in the database, and an id too large for the database
    fails that query (a 500); such an id is refused here like any other unknown one."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": str(pk)[:30]})
        return super()._check_values(value)


class _IdChoiceField(forms.ModelChoiceField):
    """One object by id; an id that is not a positive number the database can hold is an invalid choice, refused
    before any query."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": str(value)[:30]})
        return super().to_python(value)


class _PriorityChoiceField(_IdChoiceField):
    def label_from_instance(self, obj: Priority) -> str:
        return f"{obj.code} — {obj.title} ({obj.workplan.title})"


class _QuestionChoiceField(_IdChoiceField):
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

    discussion = _DiscussionsField(
        label=_("Discussions"), required=False, queryset=Discussion.objects.order_by("title"),
        help_text=_("None chosen means all discussions."), widget=forms.SelectMultiple(attrs={"size": 4}))
    question = _QuestionChoiceField(
        label=_("Question"), required=False, empty_label=_("Any question"),
        queryset=Question.objects.select_related("discussion").order_by("discussion__title", "order", "id"))
    priority = _PriorityChoiceField(
        label=_("Priority"), required=False, empty_label=_("Any priority"),
        queryset=Priority.objects.select_related("workplan").order_by("workplan__title", "kind", "number"))
    working_group = _IdChoiceField(
        label=_("Working group"), required=False, empty_label=_("Any working group"),
        queryset=WorkingGroup.objects.order_by("name"))
    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group"), required=False,
        choices=[("", _("Any stakeholder group")), *StakeholderGroup.choices])
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, initial=STATUS_PUBLISHED)
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
        described = []
        for name in ("discussion", "question", "priority", "working_group", "stakeholder_group", "organisation",
                     "status", "date_from", "date_to"):
            value = data.get(name)
            if name == "discussion":
                value = ", ".join(d.title for d in value) if value else ""
            elif name in ("stakeholder_group", "status") and value:
                value = dict(self.fields[name].choices).get(value, value)
            elif name in ("question", "priority") and value:
                value = self.fields[name].label_from_instance(value)
            if value:
                described.append(f"{self.fields[name].label}: {value}")
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
            described=tuple(described),
        )

    def query_string(self) -> str:
        """The submitted filters as a query string, for the download links."""
        if not self.is_bound:
            return ""
        pairs = [(key, value) for key in self.fields for value in self.data.getlist(key) if value != ""] \
            if hasattr(self.data, "getlist") else [(k, v) for k, v in self.data.items() if v != ""]
        return urlencode(pairs)
