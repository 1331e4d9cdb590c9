"""The job page, the status it polls and the file download. One guard: `selectors.job_for_viewer` (404)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hub.jobs import registry, selectors, services


@require_GET
@login_required
@never_cache
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_for_viewer(request.user, pk)
    entry = registry.get(job.kind)
    return render(request, "jobs/job_detail.html", {
        "job": job, "label": entry.label if entry else job.kind, "status": selectors.job_status(job),
        "report_template": entry.report_template if entry else "",
    })


@require_GET
@login_required
@never_cache
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = selectors.job_for_viewer(request.user, pk)
    return JsonResponse(selectors.job_status(job))


@require_GET
@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.job_for_viewer(request.user, pk)
    if not job.has_file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    services.job_record_download(actor=request.user, job=job)
    return FileResponse(handle, as_attachment=True, filename=job.filename or "download",
                        content_type=job.content_type or "application/octet-stream")
