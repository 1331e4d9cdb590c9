"""Importing a consultation bundle from the secretariat's pages, as a background job.

The journey: the secretariat uploads a bundle (a .zip with attachments, or consultation.json alone); it is stored
under HUB_IMPORT_ROOT in a folder of its own named by a random token (never under a name the uploader chose), and
checked as `import_consultation --check` would, by a job of kind CHECK_KIND (`check_start`: checking 20,000
comments takes seconds, which is no work for a request). The check job's page lists what would be created,
updated and granted, with the explicit options (update the existing discussion, grant moderator rights, strict)
to tick. Confirming starts a job of kind KIND (`import_start`); its runner imports the stored bundle with the
job's owner as actor and deletes the stored upload whatever happens. A bundle the check refuses is deleted then. Uploads nobody confirms are deleted after
HUB_IMPORT_PENDING_HOURS by `purge_pending_uploads` (hourly, CELERY_BEAT_SCHEDULE).

Which uploads a person may review and confirm is kept in their session: a token is no capability by itself.
"""
from __future__ import annotations

import datetime
import secrets
import shutil
import time
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discussions.interchange import (
    MANIFEST,
    ImportPlan,
    InterchangeError,
    check_consultation_bundle,
    import_consultation_bundle,
)
from discussions.permissions import check_import_consultation
from hub.jobs import registry
from hub.jobs.models import Job
from hub.jobs.services import job_start

KIND = "discussions.consultation_import"
CHECK_KIND = "discussions.consultation_check"
SESSION_KEY = "hub_pending_imports"
ZIP_NAME = "bundle.zip"
TOKEN_BYTES = 18


# --- the stored upload ----------------------------------------------------------------------------------------

def import_root() -> Path:
    return Path(settings.HUB_IMPORT_ROOT or Path(settings.MEDIA_ROOT) / "imports")


def max_upload_bytes() -> int:
    return int(settings.HUB_IMPORT_MAX_BYTES)


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops storing an uploaded file once it passes the limit, so an oversized upload fills no disk; the view
    then says it was too large (`too_large`)."""

    def __init__(self, limit: int, request=None) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int):
        return None


def _token_ok(token: str) -> bool:
    return 16 <= len(token) <= 40 and all(c.isalnum() or c in "-_" for c in token)


def pending_path(token: str) -> Path:
    """Where a stored upload sits: its folder (consultation.json alone) or the .zip inside it."""
    if not _token_ok(token):
        raise InterchangeError("", _("This upload is no longer available."))
    folder = import_root() / token
    return folder / ZIP_NAME if (folder / ZIP_NAME).exists() else folder


def pending_store(uploaded) -> str:
    """Store an uploaded bundle under a new token: a zip as it is, a JSON file as consultation.json of a folder.
    What is a zip is told by its first bytes, not by its name."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    folder = import_root() / token
    folder.mkdir(parents=True)
    uploaded.seek(0)
    is_zip = uploaded.read(4) == b"PK\x03\x04"
    uploaded.seek(0)
    target = folder / (ZIP_NAME if is_zip else MANIFEST)
    with open(target, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return token


def pending_delete(token: str) -> None:
    if _token_ok(token):
        shutil.rmtree(import_root() / token, ignore_errors=True)


def purge_pending_uploads(*, now: float | None = None) -> int:
    """Delete stored uploads older than HUB_IMPORT_PENDING_HOURS (never confirmed, or left by a job that died)."""
    root = import_root()
    if not root.exists():
        return 0
    cutoff = (now or time.time()) - settings.HUB_IMPORT_PENDING_HOURS * 3600
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def remember(session, token: str, filename: str, check_job: int) -> None:
    pending = dict(session.get(SESSION_KEY, {}))
    pending[token] = {"filename": filename[:200], "check_job": check_job}
    session[SESSION_KEY] = pending


def forget(session, token: str) -> None:
    pending = dict(session.get(SESSION_KEY, {}))
    pending.pop(token, None)
    session[SESSION_KEY] = pending


def remembered(session, token: str) -> dict | None:
    """The upload of this token if this session made it and it is still stored, else None."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if entry is None or not _token_ok(token) or not (import_root() / token).is_dir():
        return None
    return entry


# --- check and start ----------------------------------------------------------------------------------------------

def review(token: str, *, update_existing: bool = False, grant_moderators: bool = False,
           strict: bool = False) -> ImportPlan:
    """The dry run of the stored upload (import_consultation --check): raises InterchangeError at its first
    problem."""
    return check_consultation_bundle(pending_path(token), update_existing=update_existing,
                                     grant_moderators=grant_moderators, strict=strict)


def findings(plan: ImportPlan) -> dict:
    """The dry run's findings as the check job keeps them (JSON) for its page: what would be created, updated and
    granted."""
    data = plan.data
    existing = plan.existing_discussion
    return {
        "discussion_slug": data["discussion"]["slug"],
        "discussion_title": data["discussion"]["title"],
        "existing_discussion": None if existing is None else {
            "title": existing.title, "slug": existing.slug, "status": str(existing.get_status_display()),
            "comments": plan.existing_comments},
        "workplan_slug": (data.get("workplan") or {}).get("slug") or data["discussion"].get("workplan") or "",
        "workplan_in_file": bool(data.get("workplan")),
        "existing_workplan": plan.existing_workplan.title if plan.existing_workplan else "",
        "questions": len(data["questions"]),
        "comments": len(data["comments"]),
        "replies": sum(1 for c in data["comments"] if c.get("parent")),
        "attachments": sum(len(c.get("attachments", [])) for c in data["comments"]),
        "moderators_matched": plan.moderators_matched,
        "moderators_already": plan.moderators_already,
        "moderators_without_account": plan.moderators_without_account,
        "linked_accounts": plan.linked_accounts,
        "unshowable": plan.validated.unshowable,
    }


def check_start(*, actor, uploaded) -> tuple[str, Job]:
    """Store an upload and start its check (the dry run) as a job of the actor's; returns the upload's token."""
    check_import_consultation(actor)
    token = pending_store(uploaded)
    try:
        job = job_start(actor=actor, kind=CHECK_KIND, params={"token": token, "filename": uploaded.name[:200]})
    except BaseException:
        pending_delete(token)
        raise
    return token, job


def import_start(*, actor, token: str, filename: str, update_existing: bool, grant_moderators: bool,
                 strict: bool) -> Job:
    """Start the import of a checked upload as a job of the actor's, if they may import with these options. The
    job checks the bundle again as it imports (the site may have changed since), and refuses as the check said."""
    check_import_consultation(actor, update_existing=update_existing, grant_moderators=grant_moderators)
    pending_path(token)  # a token of the right shape
    return job_start(actor=actor, kind=KIND, params={
        "token": token, "filename": filename[:200], "update_existing": update_existing,
        "grant_moderators": grant_moderators, "strict": strict,
    })


# --- the jobs -----------------------------------------------------------------------------------------------------

def _job_permission(user, params: dict) -> None:
    check_import_consultation(user, update_existing=bool(params.get("update_existing")),
                              grant_moderators=bool(params.get("grant_moderators")))


def _problem(exc: InterchangeError, token: str, filename: str) -> str:
    """The bundle's problem as its uploader reads it: named by the file they uploaded, never by where it is
    stored here."""
    text = str(exc)
    if _token_ok(token):
        folder = import_root() / token
        for stored in (folder / ZIP_NAME, folder):
            text = text.replace(str(stored), filename or _("the bundle"))
    return text


def run_check(job: Job, progress) -> registry.JobResult:
    """The check job: the dry run of the stored upload. A bundle that cannot be imported is deleted at once."""
    token = job.params.get("token", "")
    try:
        plan = review(token)
    except InterchangeError as exc:
        pending_delete(token)
        raise registry.JobError(_("This bundle cannot be imported. Nothing was kept. %(problem)s")
                                % {"problem": _problem(exc, token, job.params.get("filename", ""))}) from None
    except BaseException:
        pending_delete(token)
        raise
    report = findings(plan)
    report.update(token=token, filename=job.params.get("filename", ""))
    return registry.JobResult(None, report=report)


class _ProgressOutside:
    """Progress of an import for the job's page. The first call (0 of the total, made before the import's
    transaction starts) goes to the job's own progress. The later ones happen inside that one transaction, where a
    write of the job's row would stay invisible until the end: on PostgreSQL they are written through a second
    connection, so the bar moves while the import runs; SQLite has a single writer, the import, so there the bar
    goes from 0 to done at the end."""

    def __init__(self, job: Job, progress) -> None:
        self.job = job
        self.progress = progress
        self.other = connection.copy() if connection.vendor == "postgresql" else None
        self.written = 0.0

    def __call__(self, done: int, total: int) -> None:
        if done == 0:
            self.progress(done, total)
            flush = getattr(self.progress, "flush", None)
            if flush is not None:
                flush()
            return
        self.job.done, self.job.total = done, total
        now = time.monotonic()
        if self.other is None or now - self.written < registry.PROGRESS_INTERVAL:
            return
        self.written = now
        with self.other.cursor() as cursor:
            cursor.execute(f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, heartbeat_at = %s WHERE id = %s",
                           [done, total, datetime.datetime.now(datetime.timezone.utc), self.job.pk])

    def close(self) -> None:
        if self.other is not None:
            self.other.close()


def report_for(report) -> dict:
    """The import's report as the job keeps it (JSON): counts by kind, and the lists of accounts."""
    return {
        "discussion": report.discussion.slug,
        "discussion_title": report.discussion.title,
        "discussion_url": reverse("discussions:discussion-detail", kwargs={"slug": report.discussion.slug}),
        "counts": report.as_dict(),
        "moderators_granted": report.moderators_granted,
        "moderators_not_granted": report.moderators_not_granted,
        "linked_accounts": report.linked_accounts,
        "unshowable": report.unshowable,
    }


def run_import(job: Job, progress) -> registry.JobResult:
    """The job: import the stored upload as its owner, then delete it (also when the import fails)."""
    params = job.params
    token = params.get("token", "")
    outside = _ProgressOutside(job, progress)
    try:
        report = import_consultation_bundle(
            pending_path(token), actor=job.owner, update_existing=bool(params.get("update_existing")),
            grant_moderators=bool(params.get("grant_moderators")), strict=bool(params.get("strict")),
            progress=outside)
    except InterchangeError as exc:
        raise registry.JobError(_("Nothing was imported. %(problem)s")
                                % {"problem": _problem(exc, token, params.get("filename", ""))}) from None
    except PermissionDenied as exc:
        raise registry.JobError(_("Nothing was imported. %(problem)s") % {"problem": exc}) from None
    finally:
        outside.close()
        pending_delete(token)
    return registry.JobResult(None, report=report_for(report))


@shared_task(name="discussions.secretariat.imports.purge_pending_imports")
def purge_pending_imports() -> int:
    return purge_pending_uploads()


def _discard_upload(job: Job) -> None:
    """A check or import that failed, also one refused before it ran, leaves no upload behind."""
    pending_delete(job.params.get("token", ""))


def register() -> None:
    registry.register(CHECK_KIND, runner=run_check, permission_check=_job_permission,
                      label=gettext_lazy("Consultation import: check"),
                      report_template="discussions/secretariat/_import_findings.html", on_failure=_discard_upload)
    registry.register(KIND, runner=run_import, permission_check=_job_permission,
                      label=gettext_lazy("Consultation import"),
                      report_template="discussions/secretariat/_import_report.html", on_failure=_discard_upload)
