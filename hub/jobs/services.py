"""Every write to jobs: starting one, running it (for the task), recording downloads, purging old files."""
from __future__ import annotations

import datetime
import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from hub.audit import audit_log
from hub.jobs import registry
from hub.jobs.models import Job
from hub.jobs.permissions import check_start_job

logger = logging.getLogger(__name__)


# Jobs one person may have waiting or running at once: a button pressed over and over cannot fill the queue.
MAX_ACTIVE_PER_OWNER = 3


def job_start(*, actor, kind: str, params: dict) -> Job:
    """Start a job of a registered kind for a person the kind allows, with at most MAX_ACTIVE_PER_OWNER of theirs
    waiting or running: the row now, the work after commit."""
    check_start_job(actor, kind, params)
    from hub.jobs.tasks import run_job

    with transaction.atomic():
        # The owner's row is locked so that two clicks at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        active = [job for job in Job.objects.filter(owner=actor, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
                  .only("id", "status", "created_at", "started_at", "heartbeat_at") if not job.is_stale]
        if len(active) >= MAX_ACTIVE_PER_OWNER:
            raise ValidationError(_("You already have %(count)d jobs waiting or running. Wait until one has "
                                    "finished, then start this again.") % {"count": len(active)})
        job = Job.objects.create(kind=kind, owner=actor, params=params)
        audit_log(actor=actor, action="job.start", target=job, after={"kind": kind, "params": params})
        transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


class Progress:
    """`progress(done, total)` for a runner: keeps the numbers and writes them at most every PROGRESS_INTERVAL."""

    def __init__(self, job: Job, *, interval: float | None = None) -> None:
        self.job = job
        self.interval = registry.PROGRESS_INTERVAL if interval is None else interval
        self._written: float | None = None  # the first call always writes: the bar learns the total at once

    def __call__(self, done: int, total: int | None = None) -> None:
        self.job.done = max(0, int(done))
        if total is not None:
            self.job.total = max(0, int(total))
        now = time.monotonic()
        if self._written is None or now - self._written >= self.interval:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        self._written = time.monotonic() if now is None else now
        self.job.heartbeat_at = timezone.now()
        self.job.save(update_fields=["done", "total", "heartbeat_at"])


def job_run(job_id: int) -> Job | None:
    """Run a queued job (or one redelivered after its worker died) to done or failed; never leaves it running."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        entry = registry.get(job.kind)
        now = timezone.now()
        job.status, job.started_at, job.heartbeat_at = Job.Status.RUNNING, now, now
        job.done, job.error = 0, ""
        job.save(update_fields=["status", "started_at", "heartbeat_at", "done", "error"])
    if entry is None:
        return _fail(job, _("This kind of job is no longer available."), f"unknown job kind {job.kind!r}")
    try:
        # Again now that it runs: a right withdrawn while the job waited in the queue is honoured.
        entry.permission_check(job.owner, job.params)
    except PermissionDenied as exc:
        return _fail(job, str(exc), f"refused to {job.owner}: {exc}", entry)
    progress = Progress(job)
    scratch: Path | None = None
    try:
        result = entry.runner(job, progress)
        if isinstance(result.content, (str, Path)):
            scratch = Path(result.content)
        _store(job, result)
    except (registry.JobError, ValidationError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _fail(job, message, message, entry)
    except Exception:  # noqa: BLE001 - any failure of a runner ends the job as failed, with the trace logged
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        return _fail(job, _("Something went wrong while preparing this. The site's administrators have been told; "
                            "try again later."), "", entry)
    finally:
        if scratch is not None:
            scratch.unlink(missing_ok=True)
    return job


def _store(job: Job, result: registry.JobResult) -> None:
    now = timezone.now()
    if result.content is not None:
        stored_name = f"{job.pk}-{get_random_string(12)}-{get_valid_filename(result.filename) or 'file'}"
        if isinstance(result.content, bytes):
            job.file.save(stored_name, ContentFile(result.content), save=False)
        else:
            with open(result.content, "rb") as handle:
                job.file.save(stored_name, File(handle), save=False)
    job.filename = result.filename[:200]
    job.content_type = result.content_type[:120]
    job.report = result.report or {}
    job.status = Job.Status.DONE
    job.total = max(job.total, job.done)
    job.done = job.total
    job.finished_at = job.heartbeat_at = now
    job.expires_at = now + datetime.timedelta(hours=settings.HUB_JOB_KEEP_HOURS)
    job.save(update_fields=["file", "filename", "content_type", "report", "status", "done", "total", "finished_at",
                            "heartbeat_at", "expires_at"])


def _fail(job: Job, message: str, logged: str, entry: registry.JobKind | None = None) -> Job:
    if logged:
        logger.warning("Job %s (%s) failed: %s", job.pk, job.kind, logged)
    job.status = Job.Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    if entry is not None and entry.on_failure is not None:
        try:
            entry.on_failure(job)
        except Exception:  # noqa: BLE001 - the job is failed already; what could not be undone is logged
            logger.exception("Job %s (%s): undoing after the failure failed", job.pk, job.kind)
    return job


def _purge_orphans(before: datetime.datetime) -> int:
    """Files under jobs/ that no job names any more (its owner's account was deleted, with its jobs), once they are
    older than the keeping time."""
    try:
        _, names = default_storage.listdir("jobs")
    except FileNotFoundError:
        return 0
    known = set(Job.objects.exclude(file="").values_list("file", flat=True))
    purged = 0
    for name in names:
        path = f"jobs/{name}"
        if path not in known and default_storage.get_modified_time(path) < before:
            default_storage.delete(path)
            purged += 1
    return purged


def job_record_download(*, actor, job: Job) -> None:
    """Every download of a job's file is in the audit log."""
    audit_log(actor=actor, action="job.download", target=job, after={"kind": job.kind, "filename": job.filename})


def jobs_purge(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the files of jobs past their keeping time, and record jobs whose worker died as failed."""
    now = now or timezone.now()
    purged = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(file="").only("id", "file", "kind"):
        name = job.file.name
        job.file = ""
        job.save(update_fields=["file"])
        job.file.storage.delete(name)
        purged += 1
    purged += _purge_orphans(now - datetime.timedelta(hours=settings.HUB_JOB_KEEP_HOURS))
    stale_before = now - datetime.timedelta(minutes=settings.HUB_JOB_STALE_MINUTES)
    stale = 0
    for job in Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]):
        last = job.heartbeat_at or job.started_at or job.created_at
        if last < stale_before:
            _fail(job, _("This stopped without finishing (the worker running it went away). Start it again."),
                  "stale: no progress since %s" % last.isoformat())
            stale += 1
    return {"purged": purged, "stale": stale}
