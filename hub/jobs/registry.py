"""The kinds of job the site can run. Apps register theirs in `AppConfig.ready()`; hub never imports them.

    from hub.jobs import registry

    def run_export(job, progress) -> registry.JobResult:
        path = registry.scratch_path(suffix=".csv")
        with open(path, "w") as out:
            for done, row in enumerate(rows, 1):
                out.write(row)
                progress(done, total)
        return registry.JobResult(path, "feedback.csv", "text/csv", {"Comments": total})

    registry.register("discussions.feedback_export", runner=run_export,
                      permission_check=check_export_feedback, label=_("Feedback export"))

A runner is called as `runner(job, progress)` in the worker (or in-process without a broker). It reads what it
needs from `job.params` (JSON, written by whoever started the job), calls `progress(done, total)` as often as it
likes (the row is written at most every PROGRESS_INTERVAL seconds), and returns a `JobResult`:

- `content`: a `pathlib.Path` (or str) of a file the runner wrote, best from `scratch_path()` — the framework
  copies it to storage (MEDIA_ROOT/jobs/) and deletes it —, or `bytes`, or None for a job that makes no file;
- `filename` and `content_type`: what the download is called and sent as;
- `report`: a JSON-able dict shown on the job page, {label: value} in order (or read by the kind's own
  `report_template`).

A runner signals a problem the owner should read by raising `JobError(message)` (or a ValidationError): that
message becomes `job.error`. Any other exception is logged and the owner sees a generic message.

`permission_check(user, params)` raises PermissionDenied when the user may not start the job; it runs when a job
is started, again when it starts running, and whenever the job page, its status or its file is read (a right
withdrawn since is honoured).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The job's row is written at most this often while it runs (the page polls every second).
PROGRESS_INTERVAL = 0.5


class JobError(Exception):
    """A failure the owner can act on; its message (translated by the runner) is shown on the job page."""


@dataclass(frozen=True)
class JobResult:
    content: Path | str | bytes | None
    filename: str = ""
    content_type: str = "application/octet-stream"
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    kind: str
    runner: Callable[..., JobResult]
    permission_check: Callable[[Any, dict], None]
    label: Any  # a (lazy) translated string
    report_template: str = ""
    # (url, label) of the page the job was started from, for a link back on the job's page; or None.
    back_link: Callable[[Any], tuple[str, Any] | None] | None = None
    # Called with the job when it ends failed, for whatever reason (refused at run time, a runner error): what the
    # kind must undo then, such as deleting an upload the job was to consume.
    on_failure: Callable[[Any], None] | None = None


_KINDS: dict[str, JobKind] = {}


def register(kind: str, *, runner: Callable[..., JobResult], permission_check: Callable[[Any, dict], None],
             label, report_template: str = "", back_link: Callable | None = None,
             on_failure: Callable | None = None) -> JobKind:
    """Offer a kind of job; registering the same kind again replaces it (tests re-register freely).

    report_template: a template of the kind's own for the report (it receives `job` and `report`); by default the
    report is shown as a list of labels and values. back_link(job): (url, label) of the page to go back to.
    on_failure(job): run when the job ends failed."""
    entry = JobKind(kind=kind, runner=runner, permission_check=permission_check, label=label,
                    report_template=report_template, back_link=back_link, on_failure=on_failure)
    _KINDS[kind] = entry
    return entry


def unregister(kind: str) -> None:
    _KINDS.pop(kind, None)


def get(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


def scratch_path(*, suffix: str = "") -> Path:
    """A new empty file in the temporary folder for a runner to write its result into; the framework deletes it
    after copying it to storage (or on failure)."""
    handle, name = tempfile.mkstemp(prefix="hub-job-", suffix=suffix)
    os.close(handle)
    return Path(name)
