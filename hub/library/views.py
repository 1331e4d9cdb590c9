"""Thin views: bind the form, call one service or selector, render or redirect."""
from __future__ import annotations

import io
import os
from datetime import timedelta
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hub.pagecache import public_page
from hub.library import exports, files, selectors, services
from hub.library.forms import (
    AssignForm, CriteriaPageForm, CriterionFormSet, DecisionForm, DeclineForm, LibraryFilterForm, ResourceForm,
    ReviewForm, RosterApplicationForm, RosterDecisionForm,
)
from hub.library.models import Criterion, Resource, Review, RosterMember
from hub.library.permissions import (
    can_edit_submission, can_manage_library, check_apply_to_roster, check_manage_library, check_submit_resource,
    is_submitter,
)
from hub.http import apply_errors
from hub.text import html_to_text

PER_PAGE = 20
QUEUE_PER_PAGE = 50
REVIEW_DAYS = 21  # the default time a reviewer is given

QUEUE_LABELS = {
    "to_assign": gettext_lazy("Waiting for reviewers"), "in_review": gettext_lazy("In review"),
    "revision": gettext_lazy("Revision requested"), "decided": gettext_lazy("Decided"), "all": gettext_lazy("All"),
}


def _secretariat(view):
    """Anonymous visitors are sent to log in; signed-in users without the permission get 403."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        check_manage_library(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Readers -----------------------------------------------------------------------------------------------------

@public_page
def library_index(request: HttpRequest) -> HttpResponse:
    choices = selectors.filter_choices()
    form = LibraryFilterForm(request.GET, choices=choices)
    filters = form.filters()
    page = Paginator(selectors.published_resources(filters), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "library/index.html", {
        "page": page, "form": form, "filters": filters, "query": _query_without_page(request),
        "can_manage": can_manage_library(request.user),
    })


@public_page
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for_view(user=request.user, pk=pk)
    submitter = is_submitter(request.user, resource)
    manager = can_manage_library(request.user)
    return render(request, "library/resource_detail.html", {
        "resource": resource, "is_submitter": submitter, "can_manage": manager,
        "can_edit": can_edit_submission(request.user, resource),
        "feedback": selectors.feedback_for_submitter(resource) if submitter or manager else [],
    })


def resource_file(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for_view(user=request.user, pk=pk)
    if not resource.file:
        raise Http404("This resource has no file.")
    try:
        handle = resource.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing.") from None
    response = FileResponse(handle, content_type=resource.file_type or "application/octet-stream")
    name = resource.file_name or os.path.basename(resource.file.name)
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or (
        "resource" + os.path.splitext(name)[1])
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    if not resource.is_published:
        response["Cache-Control"] = "private, no-store"
    return response


@public_page
def criteria_page(request: HttpRequest) -> HttpResponse:
    page, criteria = selectors.criteria()
    return render(request, "library/criteria.html", {"page": page, "criteria": criteria})


# --- Submitters --------------------------------------------------------------------------------------------------

def _refusal(request: HttpRequest, template: str, exc: PermissionDenied, context: dict | None = None) -> HttpResponse:
    return render(request, template, {**(context or {}), "refusal": str(exc)}, status=403)


def _file_from(request: HttpRequest, form: ResourceForm):
    """The file the form carries: a new upload that passed its checks, or one kept from an earlier attempt."""
    if form.checked_file is not None:
        return form.checked_file
    token = request.POST.get("staged_file", "")
    if token and not form.cleaned_data.get("remove_file"):
        return files.staged_file(request, token)
    return None


def _keep_file(request: HttpRequest, form: ResourceForm) -> None:
    """A failed form keeps a checked file for the next attempt, so it need not be chosen again."""
    checked = form.checked_file
    if checked is None:
        token = request.POST.get("staged_file", "")
        checked = files.staged_file(request, token) if token and not request.POST.get("remove_file") else None
    if checked is not None:
        files.stage(request, checked)
        form.data = form.data.copy()
        form.data["staged_file"] = checked.token
        form.existing_file = checked.name


@login_required
def resource_submit(request: HttpRequest) -> HttpResponse:
    try:
        check_submit_resource(request.user)
    except PermissionDenied as exc:
        return _refusal(request, "library/resource_form.html", exc)
    form = ResourceForm(request.POST or None, request.FILES or None, existing_file=_staged_name(request))
    if request.method == "POST":
        if form.is_valid():
            checked = _file_from(request, form)
            try:
                resource = services.resource_submit(actor=request.user, details=form.details(), file=checked)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                files.unstage(request, request.POST.get("staged_file", ""))
                messages.success(request, _("Thank you. The secretariat will ask two experts to review your resource "
                                            "against the published criteria, and e-mail you the decision."))
                return redirect(resource.get_absolute_url())
        _keep_file(request, form)
    _page, criteria = selectors.criteria()
    return render(request, "library/resource_form.html", {"form": form, "criteria": criteria}, status=200)


def _staged_name(request: HttpRequest) -> str:
    token = request.POST.get("staged_file", "") if request.method == "POST" else ""
    checked = files.staged_file(request, token) if token else None
    return checked.name if checked else ""


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for_view(user=request.user, pk=pk)
    if not is_submitter(request.user, resource):
        raise PermissionDenied(_("Only the person who submitted this resource can change it."))
    if not can_edit_submission(request.user, resource):
        messages.info(request, _("This resource is %(status)s and can no longer be changed.") % {
            "status": resource.get_status_display().lower()})
        return redirect(resource.get_absolute_url())
    existing = _staged_name(request) or resource.file_name
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, existing_file=existing)
        if form.is_valid():
            checked = _file_from(request, form)
            remove = bool(form.cleaned_data.get("remove_file")) and checked is None
            revising = resource.status == Resource.Status.REVISION
            try:
                resource = services.resource_update(actor=request.user, resource=resource, details=form.details(),
                                                    file=checked, remove_file=remove)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                files.unstage(request, request.POST.get("staged_file", ""))
                if revising:
                    messages.success(request, _("Your revised resource is back with the secretariat for a new round "
                                                "of review."))
                else:
                    messages.success(request, _("Your changes are saved."))
                return redirect(resource.get_absolute_url())
        _keep_file(request, form)
    else:
        form = ResourceForm(existing_file=existing, initial={
            "title": resource.title, "summary": html_to_text(resource.summary), "type": resource.type,
            "url": resource.url, "languages": list(resource.languages.all()), "scope": resource.scope,
            "region": resource.region, "country": resource.country, "year": resource.year,
            "publisher": resource.publisher, "gcm_objectives": list(resource.gcm_objectives.all()),
            "priorities": list(resource.priorities.all()), "licence": resource.licence})
    _page, criteria = selectors.criteria()
    return render(request, "library/resource_form.html", {
        "form": form, "criteria": criteria, "resource": resource,
        "feedback": selectors.feedback_for_submitter(resource)})


@login_required
def my_submissions(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.submissions_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "library/my_submissions.html", {"page": page})


# --- The roster and reviewers ------------------------------------------------------------------------------------

@login_required
def roster_apply(request: HttpRequest) -> HttpResponse:
    try:
        check_apply_to_roster(request.user)
    except PermissionDenied as exc:
        return _refusal(request, "library/roster_apply.html", exc,
                        {"membership": selectors.roster_membership(request.user)})
    form = RosterApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.roster_apply(actor=request.user, affiliation=data["affiliation"],
                                  expertise=list(data["expertise"]), languages=list(data["languages"]),
                                  cv=data["cv"], cv_url=data["cv_url"], conflicts=data["conflicts"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you for applying. The secretariat will review your application and "
                                        "e-mail you its decision."))
            return redirect("library:reviewer-page")
    elif request.method != "POST":
        from hub.selectors import profile_for_user

        profile = profile_for_user(request.user)
        form = RosterApplicationForm(initial={"affiliation": profile.organisation.name if profile.organisation else ""})
    return render(request, "library/roster_apply.html", {"form": form})


@login_required
def reviewer_page(request: HttpRequest) -> HttpResponse:
    data = selectors.reviewer_page(request.user)
    return render(request, "library/reviewer.html", {"data": data, "membership": data.membership,
                                                     "today": timezone.localdate()})


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.review_for_reviewer(user=request.user, pk=pk)
    criteria = list(Criterion.objects.filter(active=True))
    form = None
    if item.is_open:
        form = ReviewForm(request.POST or None, criteria=criteria)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.review_submit(
                    actor=request.user, review=item, no_conflict=data["no_conflict"], scores=form.scores(),
                    recommendation=data["recommendation"], comments_for_submitter=data["comments_for_submitter"],
                    comments_for_secretariat=data["comments_for_secretariat"])
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect("library:reviewer-page")
            else:
                messages.success(request, _("Thank you: your review is with the secretariat."))
                return redirect("library:reviewer-page")
    elif request.method == "POST":
        messages.error(request, _("This review is closed (%(status)s).") % {"status": item.get_status_display().lower()})
        return redirect(item.get_absolute_url())
    return render(request, "library/review_form.html", {
        "review": item, "resource": item.resource, "form": form, "decline_form": DeclineForm(),
        "today": timezone.localdate()})


@login_required
@require_POST
def review_decline(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.review_for_reviewer(user=request.user, pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.review_decline(actor=request.user, review=item, reason=form.cleaned_data["reason"],
                                    note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("library:reviewer-page")
        else:
            messages.success(request, _("You declined the review; the secretariat will ask someone else."))
            return redirect("library:reviewer-page")
    criteria = list(Criterion.objects.filter(active=True))
    form_review = ReviewForm(criteria=criteria) if item.is_open else None
    return render(request, "library/review_form.html", {
        "review": item, "resource": item.resource, "form": form_review, "decline_form": form,
        "decline_open": True, "today": timezone.localdate()}, status=400)


# --- The secretariat ---------------------------------------------------------------------------------------------

@_secretariat
def review_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "to_assign")
    if status not in selectors.QUEUE_FILTERS:
        status = "to_assign"
    page = Paginator(selectors.review_queue(status), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    counts = selectors.queue_counts()
    tabs = [(key, QUEUE_LABELS[key], counts.get(key)) for key in selectors.QUEUE_FILTERS]
    return render(request, "library/manage/queue.html", {
        "page": page, "status": status, "tabs": tabs, "required": selectors.REVIEWS_REQUIRED,
        "today": timezone.localdate()})


def _manage_page(request: HttpRequest, resource: Resource, *, assign_form=None, decision_form=None,
                 status: int = 200) -> HttpResponse:
    suggestions = selectors.reviewer_suggestions(resource) if resource.status in (
        Resource.Status.SUBMITTED, Resource.Status.IN_REVIEW) else []
    this_round = selectors.reviews_of_round(resource)
    active = [r for r in this_round if r.status in selectors.OPEN_REVIEW]
    if assign_form is None:
        assign_form = AssignForm(suggestions=suggestions,
                                 initial={"due_date": timezone.localdate() + timedelta(days=REVIEW_DAYS)})
    return render(request, "library/manage/resource.html", {
        "resource": resource, "this_round": this_round, "earlier": [r for r in resource.reviews.all()
                                                                    if r.round != resource.round],
        "suggestions": suggestions, "assign_form": assign_form,
        "decision_form": decision_form or DecisionForm(), "required": selectors.REVIEWS_REQUIRED,
        "places_left": max(selectors.REVIEWS_REQUIRED - len(active), 0),
        "done": len([r for r in this_round if r.status == Review.Status.SUBMITTED]),
        "criteria": list(Criterion.objects.all()), "today": timezone.localdate(),
    }, status=status)


@_secretariat
def manage_resource(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage_page(request, selectors.resource_for_management(pk))


@require_POST
@_secretariat
def assign_reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for_management(pk)
    form = AssignForm(request.POST, suggestions=selectors.reviewer_suggestions(resource))
    if form.is_valid():
        chosen = list(RosterMember.objects.filter(pk__in=form.cleaned_data["reviewers"]))
        try:
            created = services.review_assign(actor=request.user, resource=resource, reviewers=chosen,
                                             due_date=form.cleaned_data["due_date"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Asked %(names)s to review; they have been e-mailed.") % {
                "names": ", ".join(r.reviewer.name for r in created)})
            return redirect("library:manage-resource", pk=resource.pk)
    return _manage_page(request, resource, assign_form=form, status=400)


@require_POST
@_secretariat
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for_management(pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            resource = services.resource_decide(actor=request.user, resource=resource,
                                                decision=form.cleaned_data["decision"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is now %(status)s. The submitter has been e-mailed.") % {
                "title": resource.title, "status": resource.get_status_display().lower()})
            return redirect("library:manage-resource", pk=resource.pk)
    return _manage_page(request, selectors.resource_for_management(pk), decision_form=form, status=400)


@require_POST
@_secretariat
def review_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Review, pk=pk)
    try:
        services.review_cancel(actor=request.user, review=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The review request is withdrawn and the reviewer told."))
    return redirect("library:manage-resource", pk=item.resource_id)


ROSTER_LABELS = {"applied": gettext_lazy("Applications"), "accepted": gettext_lazy("On the roster"),
                 "past": gettext_lazy("Declined or left")}


@_secretariat
def roster(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "accepted")
    if status not in selectors.ROSTER_FILTERS:
        status = "accepted"
    counts = selectors.roster_counts()
    return render(request, "library/manage/roster.html", {
        "rows": selectors.roster(status), "status": status,
        "tabs": [(key, ROSTER_LABELS[key], counts[key]) for key in selectors.ROSTER_FILTERS],
        "decision_form": RosterDecisionForm()})


@require_POST
@_secretariat
def roster_decide(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(RosterMember, pk=pk)
    form = RosterDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{reverse('library:roster')}?status=applied")
    try:
        member = services.roster_decide(actor=request.user, member=member,
                                        accept=form.cleaned_data["decision"] == "accept",
                                        reply=form.cleaned_data["reply"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s: %(status)s. The applicant has been e-mailed.") % {
            "name": member.name, "status": member.get_status_display().lower()})
    return redirect(f"{reverse('library:roster')}?status=applied")


@require_POST
@_secretariat
def roster_retire(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(RosterMember, pk=pk)
    try:
        member = services.roster_retire(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is no longer on the roster.") % {"name": member.name})
    return redirect("library:roster")


@_secretariat
def criteria_edit(request: HttpRequest) -> HttpResponse:
    page, _active = selectors.criteria()
    if request.method == "POST":
        form = CriteriaPageForm(request.POST)
        formset = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            rows = [services.CriterionRow(pk=data.get("pk"), name=data.get("name") or "",
                                          description=data.get("description") or "", order=data.get("order") or 0,
                                          active=bool(data.get("active")))
                    for data in formset.cleaned_data if data]
            try:
                services.criteria_update(actor=request.user, intro=form.cleaned_data["intro"], rows=rows)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The criteria are saved."))
                return redirect("library:criteria")
    else:
        form = CriteriaPageForm(initial={"intro": page.intro})
        formset = CriterionFormSet(prefix="criteria", initial=[
            {"pk": c.pk, "name": c.name, "description": c.description, "order": c.order, "active": c.active}
            for c in Criterion.objects.all()])
    return render(request, "library/manage/criteria_edit.html", {"form": form, "formset": formset})


def _export_rows(request: HttpRequest):
    status = request.GET.get("status", "published")
    return services.library_export(actor=request.user, resources=selectors.resources_for_export(
        status if status in selectors.EXPORT_FILTERS else "published"))


def _filename(extension: str) -> str:
    return f"library-{timezone.localdate():%Y-%m-%d}.{extension}"


@_secretariat
def export_csv(request: HttpRequest) -> HttpResponse:
    rows = _export_rows(request)
    response = HttpResponse(exports.csv_bytes(rows, site_url=settings.HUB_SITE_URL.rstrip("/")),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@_secretariat
def export_xlsx(request: HttpRequest) -> HttpResponse:
    rows = _export_rows(request)
    buffer = io.BytesIO()
    exports.write_xlsx(buffer, rows, site_url=settings.HUB_SITE_URL.rstrip("/"))
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response

