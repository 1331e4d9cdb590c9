"""Forms of the moderation pages. They only bind and validate input; the services decide."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from discussions.forms import CommentBodyForm
from discussions.models import Discussion, Flag
from discussions.moderation.audit import ACTION_LABELS
from discussions.moderation.decline import DeclineReason
from hub.forms import IdMultipleChoiceField
from hub.models import StakeholderGroup
from workplan.models import Priority, WorkingGroup


class OwnIdsForm(forms.Form):
    """A form shown beside others on one page: its fields' ids start with its own prefix (`id_hide_reason`), so no
    two forms share an id (and a label) while the posted names stay the same."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class DeclineForm(OwnIdsForm):
    id_prefix = "decline"
    standard_reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose a reason…"))] + DeclineReason.choices,
                                        required=False)
    details = forms.CharField(label=_("In your own words (sent to the author)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if not data.get("standard_reason") and not (data.get("details") or "").strip():
            raise forms.ValidationError(_("Choose a reason or explain it in your own words."))
        if data.get("standard_reason") == DeclineReason.OTHER and not (data.get("details") or "").strip():
            self.add_error("details", _("Explain the reason in your own words."))
        return data


class BulkForm(forms.Form):
    ACTIONS = [("publish", _("Publish selected")), ("decline", _("Decline selected"))]

    action = forms.ChoiceField(choices=ACTIONS)
    comments = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={
        "required": _("Select at least one comment.")})
    standard_reason = DeclineForm.base_fields["standard_reason"]
    details = DeclineForm.base_fields["details"]

    def __init__(self, *args, comment_ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comments"].choices = [(pk, pk) for pk in (comment_ids or [])]

    def clean(self):
        data = super().clean()
        if data.get("action") == "decline" and not data.get("standard_reason") and not (data.get("details") or "").strip():
            raise forms.ValidationError(_("Give a reason to decline the selected comments."))
        return data


class EditForm(CommentBodyForm):
    """The moderator edits in the stakeholders' editor (never raw HTML) and says why."""

    reason = forms.CharField(label=_("Reason for the edit (sent to the author)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Text of the comment")


class RetagForm(OwnIdsForm):
    id_prefix = "retag"
    priorities = IdMultipleChoiceField(label=_("Priorities"), queryset=Priority.objects.none(), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    working_groups = IdMultipleChoiceField(label=_("Working groups"), queryset=WorkingGroup.objects.none(),
                                                    required=False, widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)

    def __init__(self, *args, discussion: Discussion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = Priority.objects.filter(workplan_id=discussion.workplan_id).order_by(
            "kind", "number")
        self.fields["working_groups"].queryset = WorkingGroup.objects.filter(workplan_id=discussion.workplan_id)
        self.fields["priorities"].label_from_instance = lambda p: p.choice_label


class ReasonForm(OwnIdsForm):
    id_prefix = "hide"
    reason = forms.CharField(label=_("Reason (shown to readers in place of the comment)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=1000)


class NoteForm(OwnIdsForm):
    id_prefix = "note"
    body = forms.CharField(label=_("Internal note (only moderators see it)"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong with this comment?"), choices=Flag.Reason.choices,
                               widget=forms.RadioSelect)
    details = forms.CharField(label=_("Details (optional, required for “Other”)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class QueueFilterForm(forms.Form):
    discussion = forms.TypedChoiceField(label=_("Discussion"), coerce=int, required=False, empty_value=None)
    question = forms.TypedChoiceField(label=_("Question"), coerce=int, required=False, empty_value=None)
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int, required=False, empty_value=None)
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False, empty_value=None)
    stakeholder_group = forms.ChoiceField(label=_("Stakeholder group"), required=False,
                                          choices=[("", _("All"))] + StakeholderGroup.choices)
    flagged = forms.BooleanField(label=_("Only reported comments"), required=False)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["discussion"].choices = everything + [(d.pk, d.title) for d in options.discussions]
        self.fields["question"].choices = everything + [
            (q.pk, f"{q.discussion.title}: {q.text[:70]}") for q in options.questions]
        self.fields["priority"].choices = everything + [(p.pk, p.choice_label) for p in options.priorities]
        self.fields["organisation"].choices = everything + [(o.pk, str(o)) for o in options.organisations]


_SELECT = {"class": "form-select form-select-sm"}
_INPUT = {"class": "form-control form-control-sm"}


class AuditFilterForm(forms.Form):
    discussion = forms.TypedChoiceField(label=_("Discussion"), coerce=int, required=False, empty_value=None,
                                        widget=forms.Select(attrs=_SELECT))
    action = forms.ChoiceField(label=_("Action"), required=False, widget=forms.Select(attrs=_SELECT))
    actor = forms.CharField(label=_("By"), required=False, max_length=150, widget=forms.TextInput(attrs=_INPUT))
    comment = forms.IntegerField(label=_("Comment number"), required=False, min_value=1,
                                 widget=forms.NumberInput(attrs=_INPUT))
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date", **_INPUT}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date", **_INPUT}))

    def __init__(self, *args, discussions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discussion"].choices = [("", _("All"))] + [(d.pk, d.title) for d in discussions]
        self.fields["action"].choices = [("", _("All"))] + list(ACTION_LABELS.items())

