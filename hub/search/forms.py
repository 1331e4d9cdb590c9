from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.search.query import MAX_QUERY_CHARS
from hub.search.selectors import FilterChoices

# Languages of the index (normalize.LANGUAGES), each named in itself.
LANGUAGE_CHOICES = [("", _("Any language")), ("en", "English"), ("fr", "Français"), ("es", "Español"),
                    ("ar", "العربية")]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"), max_length=MAX_QUERY_CHARS, required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "maxlength": MAX_QUERY_CHARS}),
        error_messages={"max_length": _("Search for at most %(limit_value)d characters (you typed %(show_value)d).")},
        help_text=_('All words must match. Use "quotes" for a phrase, -word to leave a word out, or to accept '
                    'either word.'),
    )
    kind = forms.ChoiceField(label=_("Show"), required=False)
    discussion = forms.TypedChoiceField(label=_("Discussion"), required=False, coerce=int, empty_value=None)
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGE_CHOICES)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, choices: FilterChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything"))] + [(k, label) for k, label in choices.kinds]
        self.fields["discussion"].choices = [("", _("All discussions"))] + choices.discussions
        self.fields["priority"].choices = [("", _("All priorities"))] + choices.priorities

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Choose a date on or after the “From” date."))
        return data

    @property
    def has_filters(self) -> bool:
        return any(self.cleaned_data.get(name) for name in ("kind", "discussion", "priority", "language",
                                                            "date_from", "date_to"))
