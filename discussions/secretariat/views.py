"""The secretariat's pages: feedback export, per-priority synthesis and the response table.

One guard per page. The pages that only read are wrapped in `secretariat_only` (log in, then the export
permission or 403, before any query about feedback runs); the two that write are only `login_required`, because
their service checks the same permission itself. Starting an export is wrapped too: its filter form queries the
comments before the job service (which checks again) is reached.

Exports are background jobs (discussions/secretariat/jobs.py on hub.jobs): the page starts one and sends the reader
to the job's page, which shows the progress and then the download.
"""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from discussions.models import Comment, Discussion, Disposition
from discussions.permissions import can_export_feedback, check_export_feedback, check_import_consultation
from discussions.secretariat import export, imports, jobs, selectors, services
from discussions.secretariat.forms import ExportFilterForm, ImportConfirmForm, ImportUploadForm
from discussions.secretariat.selectors import ExportFilters, comments_for_export
from discussions.secretariat.synthesis import synthesis_for_discussion
from hub.forms import parse_id
from hub.jobs.selectors import recent_jobs_for_owner
from hub.jobs.services import job_start

RESPONSES_PER_PAGE = 50


def secretariat_only(view):
    """Log in first; then the export permission, or 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        check_export_feedback(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _back_to_export_page(request: HttpRequest, problem: str) -> HttpResponse:
    messages.error(request, problem)
    return redirect(f"{reverse('discussions:secretariat-export')}?{request.GET.urlencode()}")


def _options(request: HttpRequest) -> export.ExportOptions:
    return export.ExportOptions(
        base_url=request.build_absolute_uri("/").rstrip("/"),
        include_personal_names=can_export_feedback(request.user),
    )


@require_GET
@secretariat_only
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "discussions/secretariat/index.html",
                  {"discussions": selectors.discussions_for_overview()})


@require_GET
@secretariat_only
def export_page(request: HttpRequest) -> HttpResponse:
    form = ExportFilterForm(request.GET or None)
    count = None
    query = ""
    if not form.is_bound:
        form = ExportFilterForm(initial={"status": "published"})
        count = comments_for_export(ExportFilters()).count()
    elif form.is_valid():
        count = comments_for_export(form.to_filters()).count()
        query = form.query_string()
    single_discussion = form.is_bound and form.is_valid() and len(form.cleaned_data["discussion"]) == 1
    return render(request, "discussions/secretariat/export.html", {
        "form": form, "count": count, "query": query, "single_discussion": single_discussion,
        "recent_jobs": jobs.recent_exports(request.user),
    })


@require_GET
@secretariat_only
def export_count(request: HttpRequest) -> JsonResponse:
    form = ExportFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse({"count": comments_for_export(form.to_filters()).count(), "query": form.query_string()})


@require_POST
@secretariat_only
def export_start(request: HttpRequest) -> HttpResponse:
    """Start the export of the page's selection (its query string) in the chosen format as a job; then its page."""
    fmt = request.POST.get("format", "")
    form = ExportFilterForm(request.GET)
    if fmt not in jobs.FORMATS or not form.is_valid():
        return _back_to_export_page(request, _("Check the filters before downloading."))
    if fmt == "bundle" and len(form.cleaned_data["discussion"]) != 1:
        return _back_to_export_page(request, _("Choose exactly one discussion for the JSON bundle."))
    options = _options(request)
    try:
        job = job_start(actor=request.user, kind=jobs.KIND, params=jobs.export_params(
            form=form, fmt=fmt, base_url=options.base_url, include_personal_names=options.include_personal_names,
            language=translation.get_language() or ""))
    except ValidationError as exc:
        return _back_to_export_page(request, " ".join(exc.messages))
    return redirect(job)


@require_GET
@secretariat_only
def synthesis(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = get_object_or_404(Discussion.objects.select_related("workplan"), slug=slug)
    return render(request, "discussions/secretariat/synthesis.html", {
        "discussion": discussion, "synthesis": synthesis_for_discussion(discussion),
        "discussion_url": discussion.get_absolute_url(),
    })


@require_GET
@secretariat_only
def response_table(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = get_object_or_404(Discussion, slug=slug)
    priority_id = parse_id(request.GET.get("priority"))  # anything else, including a huge number, shows all
    outcome = request.GET.get("outcome", "")
    comments = selectors.comments_for_response_table(discussion, priority_id=priority_id, outcome=outcome)
    page = Paginator(comments, RESPONSES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "discussions/secretariat/responses.html", {
        "discussion": discussion, "page": page, "priorities": selectors.priorities_of_discussion(discussion),
        "priority_id": priority_id, "outcome": outcome, "outcomes": Disposition.Outcome.choices,
        "no_response": selectors.NO_RESPONSE, "count_rows": selectors.response_count_rows(discussion),
        "query": query.urlencode(), "discussion_url": discussion.get_absolute_url(),
    })


@require_POST
@login_required
def response_record(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("discussion"), pk=pk)
    # Back to the table, keeping its filters and page; never anywhere else.
    table = reverse("discussions:secretariat-responses", kwargs={"slug": comment.discussion.slug})
    back = request.POST.get("next", "")
    if not back.startswith(table):
        back = table
    try:
        if request.POST.get("outcome") == selectors.NO_RESPONSE:
            services.disposition_clear(actor=request.user, comment=comment)
            messages.success(request, _("Response to comment #%(id)s removed.") % {"id": comment.pk})
        else:
            services.disposition_record(actor=request.user, comment=comment, outcome=request.POST.get("outcome", ""),
                                        rationale=request.POST.get("rationale", ""))
            messages.success(request, _("Response to comment #%(id)s saved.") % {"id": comment.pk})
    except ValidationError as exc:
        messages.error(request, _("Comment #%(id)s: %(problem)s") % {"id": comment.pk, "problem": " ".join(exc.messages)})
    return redirect(f"{back}#response-{comment.pk}")


@require_POST
@login_required
def responses_publish(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = get_object_or_404(Discussion, slug=slug)
    publish = request.POST.get("publish") == "1"
    services.discussion_set_publish_responses(actor=request.user, discussion=discussion, publish=publish)
    messages.success(request, _("Responses are now shown under the comments.") if publish
                     else _("Responses are no longer shown to readers."))
    return redirect("discussions:secretariat-responses", slug=discussion.slug)


# --- consultation imports -----------------------------------------------------------------------------------------

def importers_only(view):
    """Log in first; then the right to import consultations, or 403 (before any upload is read or stored)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        check_import_consultation(request.user)
        return view(request, *args, **kwargs)

    return wrapped


@csrf_exempt  # the upload handler must be in place before the CSRF check reads the body; csrf_protect follows
@importers_only
def import_upload(request: HttpRequest) -> HttpResponse:
    handler = imports.SizeLimitedUploadHandler(imports.max_upload_bytes(), request)
    request.upload_handlers.insert(0, handler)
    return _import_upload(request, handler)


@csrf_protect
def _import_upload(request: HttpRequest, handler) -> HttpResponse:
    form = ImportUploadForm(max_bytes=imports.max_upload_bytes())
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, max_bytes=imports.max_upload_bytes(),
                                too_large=handler.too_large)
        if form.is_valid():
            uploaded = form.cleaned_data["bundle"]
            token, job = imports.check_start(actor=request.user, uploaded=uploaded)
            imports.remember(request.session, token, uploaded.name, job.pk)
            return redirect(job.get_absolute_url())
    return render(request, "discussions/secretariat/import.html", {
        "form": form, "max_bytes": imports.max_upload_bytes(),
        "jobs": recent_jobs_for_owner(request.user, kinds=(imports.CHECK_KIND, imports.KIND)),
    }, status=400 if form.is_bound else 200)


@importers_only
def import_review(request: HttpRequest, token: str) -> HttpResponse:
    """GET: back to the check's page; POST: the options ticked there, starting the import."""
    entry = imports.remembered(request.session, token)
    if entry is None:
        raise Http404
    check_url = reverse("jobs:detail", kwargs={"pk": entry["check_job"]})
    if request.method != "POST":
        return redirect(check_url)
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():  # only booleans: cannot happen through the page
        return redirect(check_url)
    job = imports.import_start(actor=request.user, token=token, filename=entry["filename"], **form.cleaned_data)
    imports.forget(request.session, token)
    return redirect(job.get_absolute_url())


@require_POST
@importers_only
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    if imports.remembered(request.session, token) is None:
        raise Http404
    imports.pending_delete(token)
    imports.forget(request.session, token)
    messages.success(request, _("The upload was deleted; nothing was imported."))
    return redirect("discussions:secretariat-import")
