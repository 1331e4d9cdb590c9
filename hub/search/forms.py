from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.search.query import MAX_QUERY_CHARS
from hub.search.selectors import FilterChoices

# Languages of the index (normalize.LANGUAGES), each named in itself.
LANGUAGE_CHOICES = [("", _("Any language")), ("en", "English"), ("fr", "Français"), ("es", "Español"),
                    ("ar", "العربية")]


# The page renders these fields itself (search/_field.html): crispy-forms took longer than the search.
SELECT = {"class": "form-select"}
DATE = {"type": "date", "class": "form-control"}


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"), max_length=MAX_QUERY_CHARS, required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "maxlength": MAX_QUERY_CHARS,
                                      "class": "form-control"}),
        error_messages={"max_length": _("Search for at most %(limit_value)d characters (you typed %(show_value)d).")},
        help_text=_('All words must match. Use "quotes" for a phrase, -word to leave a word out, or to accept '
                    'either word.'),
    )
    kind = forms.ChoiceField(label=_("Show"), required=False, widget=forms.Select(attrs=SELECT))
    discussion = forms.TypedChoiceField(label=_("Discussion"), required=False, coerce=int, empty_value=None,
                                        widget=forms.Select(attrs=SELECT))
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None,
                                      widget=forms.Select(attrs=SELECT))
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGE_CHOICES,
                                 widget=forms.Select(attrs=SELECT))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, choices: FilterChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything"))] + [(k, label) for k, label in choices.kinds]
        self.fields["discussion"].choices = [("", _("All discussions"))] + choices.discussions
        self.fields["priority"].choices = [("", _("All priorities"))] + choices.priorities

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-describedby"] = " ".join(filter(None, (
                    f"{self[name].auto_id}_error", f"{self[name].auto_id}_helptext" if self.fields[name].help_text
                    else "")))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Choose a date on or after the “From” date."))
        return data

    @property
    def has_filters(self) -> bool:
        return any(self.cleaned_data.get(name) for name in ("kind", "discussion", "priority", "language",
                                                            "date_from", "date_to"))
