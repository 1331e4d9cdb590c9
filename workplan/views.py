"""Thin views: bind the form, call one service or selector, render or redirect."""
from __future__ import annotations

import csv
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.pagecache import public_page
from hub.http import apply_errors
from hub.selectors import profile_for_user
from hub.spreadsheets import neutralise_csv
from workplan import selectors
from workplan.forms import DecisionForm, InterestForm
from workplan.models import InterestExpression
from workplan.permissions import can_express_interest, can_manage_workplan, check_manage_workplan
from workplan.services import interest_accept, interest_decline, interest_export, interest_express, interest_withdraw

FEEDBACK_PER_PAGE = 20
QUEUE_PER_PAGE = 50


@public_page
def workplan_index(request: HttpRequest) -> HttpResponse:
    return render(request, "workplan/index.html", {"workplans": selectors.workplan_list(),
                                                   "can_manage": can_manage_workplan(request.user)})


@public_page
def workplan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    overview = selectors.workplan_overview(selectors.workplan_by_slug(slug))
    return render(request, "workplan/workplan_detail.html", {
        "overview": overview, "workplan": overview.workplan, "can_manage": can_manage_workplan(request.user)})


def workplan_document(request: HttpRequest, slug: str) -> FileResponse:
    workplan = selectors.workplan_by_slug(slug)
    if not workplan.document:
        raise Http404("This workplan has no document.")
    return FileResponse(workplan.document.open("rb"), as_attachment=True,
                        filename=workplan.document.name.rsplit("/", 1)[-1])


@public_page
def priority_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    priority = selectors.priority_by_code(slug, code)
    feedback = selectors.priority_feedback(priority)
    page = Paginator(feedback, FEEDBACK_PER_PAGE).get_page(request.GET.get("page")) if feedback is not None else None
    return render(request, "workplan/priority_detail.html", {
        "priority": priority, "workplan": priority.workplan, "feedback_page": page,
        "feedback_template": selectors.feedback_item_template(),
        "resources": selectors.priority_resources(priority), "resource_template": selectors.resource_item_template(),
    })


@public_page
def objective_detail(request: HttpRequest, number: int) -> HttpResponse:
    objective = selectors.objective_with_priorities(number)
    return render(request, "workplan/objective_detail.html", {
        "objective": objective, "resources": selectors.objective_resources(objective),
        "resource_template": selectors.resource_item_template(),
    })


@public_page
def working_group_detail(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    working_group = selectors.working_group_by_slug(slug, group)
    profile = profile_for_user(request.user)
    # Only a confirmed member sees and acts on the organisation's expressions; a declared one is told to wait.
    organisation = profile.confirmed_organisation if profile and profile.is_complete else None
    declared = profile.organisation if profile and profile.is_complete and organisation is None else None
    form = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?{urlencode({'next': working_group.get_absolute_url()})}")
        form = InterestForm(request.POST)
        if form.is_valid():
            try:
                interest_express(actor=request.user, working_group=working_group, role=form.cleaned_data["role"],
                                 message=form.cleaned_data["message"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Thank you. The secretariat will review your organisation's "
                                            "expression of interest and tell you its decision by e-mail."))
                return redirect(working_group.get_absolute_url() + "#interest")
    expressions = selectors.interest_expressions_of_organisation(organisation, working_group=working_group)
    pending = next((e for e in expressions if e.status == InterestExpression.Status.PENDING), None)
    if form is None and pending is None and can_express_interest(request.user, working_group):
        form = InterestForm()
    return render(request, "workplan/working_group_detail.html", {
        "group": working_group, "workplan": working_group.workplan, "form": form, "organisation": organisation,
        "declared_organisation": declared, "expressions": expressions, "pending": pending, "profile": profile,
    })


@login_required
@require_POST
def interest_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    expression = get_object_or_404(InterestExpression.objects.select_related("working_group__workplan"), pk=pk)
    try:
        interest_withdraw(actor=request.user, expression=expression)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your organisation's expression of interest is withdrawn."))
    return redirect(expression.working_group.get_absolute_url() + "#interest")


def _login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


def _secretariat(view):
    """Anonymous visitors are sent to log in; signed-in users without the permission get 403."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        check_manage_workplan(request.user)
        return view(request, *args, **kwargs)

    return wrapped


@_secretariat
def interest_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    if status not in selectors.QUEUE_FILTERS:
        status = "pending"
    page = Paginator(selectors.interest_queue(status), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "workplan/interest_queue.html", {
        "page": page, "status": status, "filters": list(selectors.QUEUE_FILTERS), "decision_form": DecisionForm(),
    })


@require_POST
@_secretariat
def interest_decide(request: HttpRequest, pk: int) -> HttpResponse:
    expression = get_object_or_404(InterestExpression, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("workplan:interest-queue")
    decide = interest_accept if form.cleaned_data["decision"] == "accept" else interest_decline
    try:
        expression = decide(actor=request.user, expression=expression, reply=form.cleaned_data["reply"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(organisation)s: %(status)s for %(group)s. The submitter has been e-mailed.") % {
            "organisation": expression.organisation, "status": expression.get_status_display().lower(),
            "group": expression.working_group})
    return redirect("workplan:interest-queue")


CSV_COLUMNS = ["submitted", "workplan", "working group", "organisation", "acronym", "stakeholder group", "country",
               "role", "status", "submitted by", "e-mail", "message", "reply", "decided by", "decided"]


def _cell(value) -> str:
    """A cell no spreadsheet runs as a formula (hub/spreadsheets.py: neutralise_csv)."""
    return neutralise_csv("" if value is None else str(value))


@_secretariat
def interest_csv(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "all")
    rows = interest_export(actor=request.user, expressions=selectors.interest_queue(
        status if status in selectors.QUEUE_FILTERS else "all"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="expressions-of-interest-{timezone.localdate():%Y-%m-%d}.csv"')
    response.write("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for e in rows:
        submitter = e.submitted_by
        submitter_profile = getattr(submitter, "profile", None) if submitter else None
        decider_profile = getattr(e.decided_by, "profile", None) if e.decided_by else None
        writer.writerow([_cell(v) for v in [
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), e.working_group.workplan.title,
            e.working_group.name, e.organisation.name, e.organisation.acronym,
            e.organisation.get_stakeholder_group_display(), e.organisation.country, e.get_role_display(),
            e.get_status_display(), submitter_profile.display_name if submitter_profile else "",
            submitter.email if submitter else "", e.message, e.reply,
            decider_profile.display_name if decider_profile else "",
            timezone.localtime(e.decided_at).strftime("%Y-%m-%d %H:%M") if e.decided_at else "",
        ]])
    return response
