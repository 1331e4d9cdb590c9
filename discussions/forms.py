"""Forms of the public side: writing and editing a comment.

The body arrives two ways. Without JavaScript the textarea `body` holds plain text (blank lines make paragraphs).
With the editor (static/discussions/editor.js) the HTML goes into the hidden `body_html` and `body_format`
says "html". The service cleans either through hub.text, so nothing here trusts the markup.
"""
from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import get_language, gettext_lazy as _

from discussions.services import MAX_BODY_CHARS, BodyFormat
from discussions.uploads import ACCEPT
from hub.forms import IdMultipleChoiceField
from hub.languages import content_language_choices, interpolate_lazy
from workplan.models import Priority, WorkingGroup


class PriorityChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj: Priority) -> str:
        return obj.choice_label


class CommentBodyForm(forms.Form):
    """The text of a comment, as the editor sends it (HTML) or as typed without it (plain text). Stakeholders and
    moderators write in the same editor, so both forms share these fields."""

    body = forms.CharField(
        label=_("Your comment"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "form-control comment-body-text",
                                     "data-max-chars": MAX_BODY_CHARS}),
        help_text=interpolate_lazy(_("Paragraphs, bold, italic, lists, links and quotes are kept. Up to %(n)s "
                                     "characters; attach longer texts as a document."), {"n": MAX_BODY_CHARS}),
    )
    body_html = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    body_format = forms.ChoiceField(choices=[(BodyFormat.TEXT, "text"), (BodyFormat.HTML, "html")],
                                    initial=BodyFormat.TEXT, required=False, widget=forms.HiddenInput)

    max_chars = MAX_BODY_CHARS

    def body_and_format(self) -> tuple[str, str]:
        data = self.cleaned_data
        if data.get("body_format") == BodyFormat.HTML and data.get("body_html", "").strip():
            return data["body_html"], BodyFormat.HTML
        return data.get("body", ""), BodyFormat.TEXT


def body_initial(comment) -> dict:
    """What the editor starts from when a comment is edited: its HTML, and its plain text for the no-script box."""
    return {"body": comment.body_text, "body_html": comment.body, "body_format": BodyFormat.TEXT}


class CommentForm(CommentBodyForm):
    priorities = PriorityChoiceField(
        queryset=Priority.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=_("Which priorities is your comment about?"),
    )
    working_groups = IdMultipleChoiceField(
        queryset=WorkingGroup.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=_("Which working groups is it about?"),
    )
    language = forms.ChoiceField(
        label=_("Language of your comment"), choices=content_language_choices, required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Readers and screen readers use it; write in the language you prefer."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    follow = forms.BooleanField(required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                                label=_("E-mail me when someone replies to my comment or a new question is posted"))

    def __init__(self, *args, priorities=(), working_groups=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in priorities]
        self.fields["priorities"].queryset = Priority.objects.filter(pk__in=ids).order_by("kind", "number")
        # Keep the already-loaded objects as choices so rendering does not query again.
        self.fields["priorities"].choices = [(p.pk, self.fields["priorities"].label_from_instance(p)) for p in priorities]
        self.fields["working_groups"].queryset = WorkingGroup.objects.filter(pk__in=[g.pk for g in working_groups])
        self.fields["working_groups"].choices = [(g.pk, g.name) for g in working_groups]
        if not priorities:
            del self.fields["priorities"]
        if not working_groups:
            del self.fields["working_groups"]
        if not self.is_bound and not self.initial.get("language"):
            # By default a comment is in the language the page is shown in.
            self.initial["language"] = get_language() or settings.LANGUAGE_CODE
        if not self.is_bound and not self.initial.get("submission_key"):
            self.initial["submission_key"] = uuid.uuid4()


class CommentEditForm(CommentForm):
    remove_attachments = forms.MultipleChoiceField(required=False,
                                                   widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                                                   label=_("Remove these files"))

    def __init__(self, *args, attachments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["follow"]
        del self.fields["submission_key"]
        self.fields["remove_attachments"].choices = [(str(a.pk), a.original_name) for a in attachments]
        if not attachments:
            del self.fields["remove_attachments"]


FILE_ACCEPT = ACCEPT
