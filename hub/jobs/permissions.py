"""Who may see a job: a signed-in person whom the job's kind allows (its own check, re-run on every read).

The owner or anyone else with that right (for an export, `discussions.export_feedback`) sees the job; anyone else
gets a 404, so a job's existence is not revealed. A right withdrawn after starting a job withdraws its file too.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hub.jobs import registry
from hub.jobs.models import Job


def check_start_job(user, kind: str, params: dict) -> registry.JobKind:
    """A job of a registered kind, started by a signed-in person whom the kind's own check allows."""
    entry = registry.get(kind)
    if entry is None:
        raise PermissionDenied(_("This kind of job does not exist."))
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to start this."))
    entry.permission_check(user, params)
    return entry


def can_view_job(user, job: Job) -> bool:
    """The job's owner or another holder of the kind's right, as long as the kind's check allows them now."""
    if not getattr(user, "is_authenticated", False):
        return False
    entry = registry.get(job.kind)
    if entry is None:
        return False
    try:
        entry.permission_check(user, job.params)
    except PermissionDenied:
        return False
    return True
