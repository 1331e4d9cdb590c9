from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.languages import language_choices
from hub.mail import header_text
from hub.models import Attribution, Organisation, StakeholderGroup

# The largest primary key any database here stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A positive primary key from a form or query parameter, or None for anything else (text, 0, or a number too
    large for the database, which would otherwise fail the query with an overflow: a 500)."""
    text = str(value or "").strip()
    if not text.isdecimal() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Objects chosen by id. Django looks every submitted id up in the database, and an id too large for the
    database fails that query; such an id is refused here like any other unknown one, before any query."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": str(pk)[:30]})
        return super()._check_values(value)


class IdChoiceField(forms.ModelChoiceField):
    """One object by id; an id that is not a positive number the database can hold is an invalid choice."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": str(value)[:30]})
        return super().to_python(value)


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Full name"), max_length=150,
                                   help_text=_("Shown in full beside your comments, unless you choose organisation only."))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False,
        empty_label=_("— choose your organisation —"),
        help_text=_("Not in the list? Add it below."),
    )
    new_organisation_name = forms.CharField(label=_("New organisation: name"), max_length=200, required=False)
    new_organisation_acronym = forms.CharField(label=_("New organisation: acronym"), max_length=30, required=False)
    new_organisation_group = forms.ChoiceField(
        label=_("New organisation: stakeholder group"), required=False,
        choices=[("", "—")] + list(StakeholderGroup.choices),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    attribution = forms.ChoiceField(
        label=_("How should your comments be attributed?"), choices=Attribution.choices, widget=forms.RadioSelect,
        initial=Attribution.PERSON,
        help_text=_("Your organisation alone is shown only once your membership is confirmed; until then your "
                    "comments show your name."),
    )
    language = forms.ChoiceField(
        label=_("Preferred language"), choices=language_choices, required=False,
        help_text=_("The language of the e-mails we send you. Pages follow the language you choose at the top."),
    )

    def clean(self):
        data = super().clean()
        if data.get("organisation") and data.get("new_organisation_name"):
            self.add_error("new_organisation_name", _("Choose an organisation from the list or add a new one, not both."))
        elif not data.get("organisation") and not data.get("new_organisation_name"):
            self.add_error("organisation", _("Choose your organisation, or add it below."))
        if data.get("new_organisation_name") and not data.get("new_organisation_group"):
            self.add_error("new_organisation_group", _("Choose the new organisation's stakeholder group."))
        return data


class MembershipDecisionForm(forms.Form):
    """Confirm or refuse one membership request; the organisation is the one the decider saw on the page."""

    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("refuse", _("Refuse"))])
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for refusing (sent to the person)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why, so the person knows what to do."))
        return data


class MembershipContactForm(forms.Form):
    contact = forms.TypedChoiceField(choices=[("1", "yes"), ("0", "no")], coerce=lambda v: v == "1")


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    # A field people never see (hidden by CSS); bots that fill every field give themselves away.
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    # The name and subject travel on one line (the subject in a mail header): line breaks and control characters
    # typed or pasted into them are folded into spaces rather than refused, so nothing is lost.
    def _one_line(self, name: str) -> str:
        value = header_text(self.cleaned_data[name])
        if not value:
            raise forms.ValidationError(self.fields[name].error_messages["required"], code="required")
        return value

    def clean_name(self) -> str:
        return self._one_line("name")

    def clean_subject(self) -> str:
        return self._one_line("subject")
