"""Reads of jobs: one job for a viewer, a person's recent jobs, and the status the job page polls."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from hub.jobs.models import Job
from hub.jobs.permissions import can_view_job

RECENT_JOBS = 10


def job_for_viewer(user, pk: int) -> Job:
    """The job, if this person may see it (its owner or another holder of its kind's right); 404 otherwise."""
    job = Job.objects.select_related("owner").filter(pk=pk).first()
    if job is None or not can_view_job(user, job):
        raise Http404
    return job


def recent_jobs_for_owner(owner, *, kinds: Iterable[str] = (), limit: int = RECENT_JOBS) -> list[Job]:
    """The person's latest jobs (of these kinds), newest first, in one query."""
    qs: QuerySet[Job] = Job.objects.filter(owner=owner).defer("params", "report")
    kinds = tuple(kinds)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return list(qs.order_by("-created_at", "-id")[:limit])


def progress_text(job: Job) -> str:
    """"12,000 of 20,000 rows" (or what fits the status)."""
    status = job.shown_status
    if status == Job.Status.QUEUED:
        return _("Waiting to start…")
    if status == Job.Status.FAILED:
        return _("Failed")
    if not job.total:
        return _("Done") if status == Job.Status.DONE else _("Starting…")
    return _("%(done)s of %(total)s rows") % {
        "done": number_format(job.done, force_grouping=True), "total": number_format(job.total, force_grouping=True)}


def job_status(job: Job) -> dict:
    """What the job page's script needs to move its bar, as JSON."""
    status = job.shown_status
    return {
        "id": job.pk,
        "status": status,
        "status_label": str(Job.Status(status).label),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "text": progress_text(job),
        "finished": job.finished,
        "download_url": reverse("jobs:download", kwargs={"pk": job.pk}) if job.has_file else "",
    }
