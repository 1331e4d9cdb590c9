"""The secretariat's pages: feedback export, per-priority synthesis and the response table.

Every view here is wrapped in `secretariat_only`: visitors are sent to log in, signed-in users without the
export permission get 403, before any query about feedback runs.
"""
from __future__ import annotations

import tempfile
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from discussions.secretariat import export as export_module
from discussions.secretariat import services as response_services
from discussions.secretariat.selectors import ExportFilterForm, ExportFilters, comments_for_export, parse_id
from discussions.models import Comment, Discussion, Disposition
from discussions.permissions import can_export_feedback, check_export_feedback
from discussions.secretariat.synthesis import synthesis_for_discussion
from workplan.models import Priority

RESPONSES_PER_PAGE = 50


def secretariat_only(view):
    """Log in first; then the export permission, or 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        check_export_feedback(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _options(request: HttpRequest) -> export_module.ExportOptions:
    return export_module.ExportOptions(
        base_url=request.build_absolute_uri("/").rstrip("/"),
        include_personal_names=can_export_feedback(request.user),
    )


def _filters_or_redirect(request: HttpRequest) -> ExportFilters | HttpResponse:
    form = ExportFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Check the filters before downloading."))
        return redirect(f"{reverse('discussions:secretariat-export')}?{request.GET.urlencode()}")
    return form.to_filters()


def _discussion_url(discussion: Discussion) -> str:
    """The public page of a discussion, which comment permalinks (#comment-<id>) hang off."""
    try:
        return discussion.get_absolute_url()
    except NoReverseMatch:  # the public pages are not installed
        return f"/discussions/{discussion.slug}/"


def _count_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    rows = [(str(label), counts[value]) for value, label in Disposition.Outcome.choices]
    rows.append((_("No response yet"), counts[response_services.NO_RESPONSE]))
    return rows


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


@require_GET
@secretariat_only
def index(request: HttpRequest) -> HttpResponse:
    discussions = Discussion.objects.annotate(
        published=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED)),
        responded=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED,
                                             comments__disposition__isnull=False)),
    ).order_by("-opens_at", "title")
    return render(request, "discussions/secretariat/index.html", {"discussions": discussions})


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
    })


@require_GET
@secretariat_only
def export_count(request: HttpRequest) -> JsonResponse:
    form = ExportFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse({"count": comments_for_export(form.to_filters()).count(), "query": form.query_string()})


@require_GET
@secretariat_only
def export_csv(request: HttpRequest) -> HttpResponse:
    filters = _filters_or_redirect(request)
    if isinstance(filters, HttpResponse):
        return filters
    bom = request.GET.get("encoding") == "utf-8-sig"
    response = StreamingHttpResponse(export_module.csv_blocks(filters, _options(request), bom=bom),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("feedback", "csv")}"'
    return response


def _spooled_download(write, filename: str, content_type: str) -> FileResponse:
    """Zip-based files (xlsx, zip) need their directory written at the end: build in a temporary file, then stream."""
    spool = tempfile.TemporaryFile()
    write(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=content_type)


@require_GET
@secretariat_only
def export_xlsx(request: HttpRequest) -> HttpResponse:
    filters = _filters_or_redirect(request)
    if isinstance(filters, HttpResponse):
        return filters
    return _spooled_download(lambda spool: export_module.write_xlsx(spool, filters, _options(request)),
                             _filename("feedback", "xlsx"),
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@require_GET
@secretariat_only
def export_attachments(request: HttpRequest) -> HttpResponse:
    filters = _filters_or_redirect(request)
    if isinstance(filters, HttpResponse):
        return filters
    return _spooled_download(lambda spool: export_module.write_attachments_zip(spool, filters, _options(request)),
                             _filename("attachments", "zip"), "application/zip")


@require_GET
@secretariat_only
def export_bundle(request: HttpRequest) -> HttpResponse:
    filters = _filters_or_redirect(request)
    if isinstance(filters, HttpResponse):
        return filters
    if len(filters.discussion_ids) != 1:
        messages.error(request, _("Choose exactly one discussion for the JSON bundle."))
        return redirect(f"{reverse('discussions:secretariat-export')}?{request.GET.urlencode()}")
    discussion = get_object_or_404(Discussion, pk=filters.discussion_ids[0])
    spool = tempfile.TemporaryFile()
    try:
        export_module.write_consultation_bundle(spool, discussion, filters)
    except export_module.BundleExportUnavailable as exc:
        spool.close()
        messages.error(request, str(exc))
        return redirect(f"{reverse('discussions:secretariat-export')}?{request.GET.urlencode()}")
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=_filename(discussion.slug, "zip"),
                        content_type="application/zip")


@require_GET
@secretariat_only
def synthesis(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = get_object_or_404(Discussion.objects.select_related("workplan"), slug=slug)
    return render(request, "discussions/secretariat/synthesis.html", {
        "discussion": discussion, "synthesis": synthesis_for_discussion(discussion),
        "discussion_url": _discussion_url(discussion),
    })


@require_GET
@secretariat_only
def response_table(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = get_object_or_404(Discussion, slug=slug)
    priorities = list(Priority.objects.filter(workplan_id=discussion.workplan_id).order_by("kind", "number")) \
        if discussion.workplan_id else []
    priority_id = parse_id(request.GET.get("priority"))  # anything else, including a huge number, shows all
    outcome = request.GET.get("outcome", "")
    comments = response_services.comments_for_response_table(discussion, priority_id=priority_id, outcome=outcome)
    page = Paginator(comments, RESPONSES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "discussions/secretariat/responses.html", {
        "discussion": discussion, "page": page, "priorities": priorities, "priority_id": priority_id,
        "outcome": outcome, "outcomes": Disposition.Outcome.choices, "no_response": response_services.NO_RESPONSE,
        "count_rows": _count_rows(response_services.response_counts(discussion)), "query": query.urlencode(),
        "discussion_url": _discussion_url(discussion),
    })


@require_POST
@secretariat_only
def response_record(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("discussion"), pk=pk)
    back = request.POST.get("next", "")
    if not back.startswith(reverse("discussions:secretariat-responses", kwargs={"slug": comment.discussion.slug})):
        back = reverse("discussions:secretariat-responses", kwargs={"slug": comment.discussion.slug})
    try:
        if request.POST.get("outcome") == response_services.NO_RESPONSE:
            response_services.disposition_clear(actor=request.user, comment=comment)
            messages.success(request, _("Response to comment #%(id)s removed.") % {"id": comment.pk})
        else:
            response_services.disposition_record(actor=request.user, comment=comment,
                                                 outcome=request.POST.get("outcome", ""),
                                                 rationale=request.POST.get("rationale", ""))
            messages.success(request, _("Response to comment #%(id)s saved.") % {"id": comment.pk})
    except ValidationError as exc:
        messages.error(request, _("Comment #%(id)s: %(problem)s") % {"id": comment.pk, "problem": " ".join(exc.messages)})
    return redirect(f"{back}#response-{comment.pk}")


@require_POST
@secretariat_only
def responses_publish(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = get_object_or_404(Discussion, slug=slug)
    publish = request.POST.get("publish") == "1"
    response_services.discussion_set_publish_responses(actor=request.user, discussion=discussion, publish=publish)
    messages.success(request, _("Responses are now shown under the comments.") if publish
                     else _("Responses are no longer shown to readers."))
    return redirect("discussions:secretariat-responses", slug=discussion.slug)
