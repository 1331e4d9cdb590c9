from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workplan.models import InterestExpression
from workplan.services import MESSAGE_MAX_LENGTH


class InterestForm(forms.Form):
    role = forms.ChoiceField(
        label=_("My organisation would join as"), choices=InterestExpression.Role.choices,
        initial=InterestExpression.Role.MEMBER, widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether your organisation would join as member, co-lead or observer."),
                        "invalid_choice": _("Choose member, co-lead or observer.")},
    )
    message = forms.CharField(
        label=_("Message to the secretariat"), required=True, max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What your organisation would bring to the group, in a few sentences (at most 2,000 characters)."),
        error_messages={"required": _("Tell the secretariat in a few words what your organisation would bring."),
                        "max_length": _("Keep the message to %(limit_value)d characters (it has %(show_value)d).")},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))],
                                 error_messages={"required": _("Choose accept or decline."),
                                                 "invalid_choice": _("Choose accept or decline.")})
    reply = forms.CharField(label=_("Reply to the organisation (optional, sent by e-mail)"), required=False,
                            max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
