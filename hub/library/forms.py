from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.library import files
from hub.library.models import (
    SCORE_MAX, SCORE_MIN, Language, Region, ResourceType, Review, Scope,
)
from hub.library.selectors import LibraryFilters
from hub.library.services import Decision, ResourceDetails
from workplan.models import GcmObjective, Priority


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: GcmObjective) -> str:
        return f"{obj.number}. {obj.title}"


class PriorityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Priority) -> str:
        return f"{obj.code} {obj.title} ({obj.workplan.period})"


class LanguageChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Language) -> str:
        return obj.label


def _priorities():
    return Priority.objects.filter(active=True).select_related("workplan").order_by(
        "-workplan__period_start", "workplan__title", "kind", "number")


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300,
                            error_messages={"required": _("Give the resource's title.")})
    summary = forms.CharField(
        label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the resource is about and who it is for, in a few sentences (at most 5,000 characters). "
                    "Leave a blank line between paragraphs; web addresses become links."),
        error_messages={"required": _("Say in a few sentences what the resource is about and who it is for.")})
    type = forms.ChoiceField(label=_("Type"), choices=[("", _("— choose a type —"))] + list(ResourceType.choices),
                             error_messages={"required": _("Choose the type of resource.")})
    url = forms.CharField(label=_("Link"), max_length=500, required=False, widget=forms.URLInput,
                          help_text=_("The resource's web address, starting with https://"))
    file = forms.FileField(
        label=_("File"), required=False, widget=forms.FileInput(attrs={"accept": files.ACCEPT}),
        help_text=_("Or upload it: PDF, Word (DOCX), OpenDocument text, Excel (XLSX), PNG or JPEG, at most 20 MB."))
    staged_file = forms.CharField(required=False, widget=forms.HiddenInput)
    remove_file = forms.BooleanField(label=_("Remove the uploaded file"), required=False)
    languages = LanguageChoiceField(
        label=_("Languages"), queryset=Language.objects.all(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the language or languages the resource is in.")})
    scope = forms.ChoiceField(
        label=_("Geographic scope"), choices=Scope.choices, widget=forms.RadioSelect,
        help_text=_("Global and comprehensive resources are listed first, then regional, then national ones."),
        error_messages={"required": _("Choose whether the resource is global, regional or national.")})
    region = forms.ChoiceField(label=_("Region (for a regional resource)"), required=False,
                               choices=[("", "—")] + list(Region.choices))
    country = forms.CharField(label=_("Country (for a national resource)"), max_length=100, required=False)
    year = forms.IntegerField(label=_("Publication year"), required=False, min_value=1900,
                              error_messages={"invalid": _("Enter the year as four digits, e.g. 2023.")})
    publisher = forms.CharField(label=_("Publishing organisation"), max_length=200,
                                error_messages={"required": _("Name the organisation that published the resource.")})
    gcm_objectives = ObjectiveChoiceField(
        label=_("GCM objectives it supports"), queryset=GcmObjective.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple)
    priorities = PriorityChoiceField(label=_("Workplan priorities it supports"), queryset=Priority.objects.none(),
                                     required=False, widget=forms.CheckboxSelectMultiple)
    licence = forms.CharField(label=_("Licence or source"), max_length=300, required=False,
                              help_text=_("For example: CC BY 4.0, or “Reproduced with permission of …”."))

    def __init__(self, *args, existing_file: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = _priorities()
        self.fields["year"].max_value = timezone.localdate().year + 1
        self.fields["year"].widget.attrs["max"] = self.fields["year"].max_value
        self.existing_file = existing_file  # the template offers "remove_file" only when there is one
        self.checked_file = None  # set by the view once the upload passed its checks

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                self.checked_file = files.check_resource_file(upload)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
        return upload

    def details(self) -> ResourceDetails:
        data = self.cleaned_data
        return ResourceDetails(
            title=data["title"], summary=data["summary"], type=data["type"], url=data.get("url") or "",
            languages=list(data["languages"]), scope=data["scope"], region=data.get("region") or "",
            country=data.get("country") or "", year=data.get("year"), publisher=data["publisher"],
            gcm_objectives=list(data.get("gcm_objectives") or []), priorities=list(data.get("priorities") or []),
            licence=data.get("licence") or "")


class LibraryFilterForm(forms.Form):
    """The library's filters (GET). Unknown values are dropped rather than refused: a stale link still works."""

    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types"))] + list(ResourceType.choices))
    scope = forms.ChoiceField(label=_("Scope"), required=False, choices=[("", _("Any scope"))] + list(Scope.choices))
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[("", _("Any region"))] + list(Region.choices))
    objective = forms.TypedChoiceField(label=_("GCM objective"), required=False, coerce=int, empty_value=None)
    priority = forms.TypedChoiceField(label=_("Workplan priority"), required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, data, *, choices) -> None:
        super().__init__(data)
        self.fields["objective"].choices = [("", _("Any objective"))] + [
            (o.pk, f"{o.number}. {o.title}") for o in choices.objectives]
        self.fields["priority"].choices = [("", _("Any priority"))] + [
            (p.pk, f"{p.code} {p.title} ({p.workplan.period})") for p in choices.priorities]
        self.fields["language"].choices = [("", _("Any language"))] + [(lang.pk, lang.label) for lang in choices.languages]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> LibraryFilters:
        if self.is_valid():
            data = self.cleaned_data
        else:
            data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return LibraryFilters(type=data.get("type") or "", scope=data.get("scope") or "", region=data.get("region") or "",
                              objective=data.get("objective"), priority=data.get("priority"),
                              language=data.get("language") or "")


SCORE_CHOICES = [(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]


class ReviewForm(forms.Form):
    no_conflict = forms.BooleanField(
        label=_("I declare that I have no conflict of interest with this resource, its authors, its publisher or "
                "its submitter."),
        error_messages={"required": _("Declare that you have no conflict of interest, or decline the review.")})
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"), choices=Review.Recommendation.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Recommend accepting, revising or rejecting the resource.")})
    comments_for_submitter = forms.CharField(
        label=_("Comments for the submitter"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Sent to the submitter with the secretariat's decision, without your name."),
        error_messages={"required": _("Explain your recommendation to the submitter.")})
    comments_for_secretariat = forms.CharField(
        label=_("Comments for the secretariat only (optional)"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name, help_text=criterion.description, choices=SCORE_CHOICES, coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Score “%(criterion)s” from %(min)d to %(max)d.") % {
                    "criterion": criterion.name, "min": SCORE_MIN, "max": SCORE_MAX}})

    def score_fields(self):
        return [self[f"score_{criterion.pk}"] for criterion in self.criteria]

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why do you decline?"), choices=Review.DeclineReason.choices,
                               widget=forms.RadioSelect, error_messages={"required": _("Choose why you decline.")})
    note = forms.CharField(label=_("Note to the secretariat"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    reviewers = forms.TypedMultipleChoiceField(
        label=_("Reviewers"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one reviewer.")})
    due_date = forms.DateField(label=_("Review due on"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("Give the date the reviews are due."),
                                               "invalid": _("Enter the date as YYYY-MM-DD.")})

    def __init__(self, *args, suggestions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        self.fields["reviewers"].choices = [(s.member.pk, s.member.name) for s in suggestions]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(Decision.PUBLISH, _("Publish in the library")), (Decision.REVISE, _("Ask the submitter to revise")),
                 (Decision.REJECT, _("Reject"))],
        error_messages={"required": _("Choose to publish, ask for a revision or reject.")})
    note = forms.CharField(label=_("Message to the submitter"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Required to ask for a revision or to reject: say why."))


class RosterApplicationForm(forms.Form):
    expertise = ObjectiveChoiceField(
        label=_("Areas of expertise (GCM objectives)"), queryset=GcmObjective.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the GCM objectives you have expertise in.")})
    languages = LanguageChoiceField(
        label=_("Languages you can review in"), queryset=Language.objects.all(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the languages you can review in.")})
    affiliation = forms.CharField(
        label=_("Affiliation"), max_length=200,
        help_text=_("Your organisation, university or “independent”."),
        error_messages={"required": _("Give your affiliation (organisation, university, or independent).")})
    cv = forms.CharField(label=_("Short CV"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 6}),
                         help_text=_("Your experience in a few lines (at most 3,000 characters), or give a link below."))
    cv_url = forms.CharField(label=_("Link to your CV or professional profile"), max_length=500, required=False,
                             widget=forms.URLInput)
    conflicts = forms.CharField(
        label=_("Interests to declare"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Organisations you work for or advise, funding you receive: anything that could be seen as a "
                    "conflict of interest when you review. You also declare conflicts for each review."))


class RosterDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))],
                                 error_messages={"required": _("Choose accept or decline."),
                                                 "invalid_choice": _("Choose accept or decline.")})
    reply = forms.CharField(label=_("Reply to the applicant (optional, sent by e-mail)"), required=False,
                            max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CriteriaPageForm(forms.Form):
    intro = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Shown above the criteria. Paragraphs, lists, emphasis and links are kept (HTML); anything else "
                    "is removed."))


class CriterionForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    description = forms.CharField(label=_("What it means"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


CriterionFormSet = formset_factory(CriterionForm, extra=2, max_num=40, absolute_max=60, validate_max=True)


class ExportForm(forms.Form):
    status = forms.ChoiceField(choices=[("published", _("Published resources")), ("all", _("All resources"))],
                               required=False)

