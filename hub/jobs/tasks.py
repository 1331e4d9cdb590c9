"""The jobs' tasks: run one job; purge expired files (hourly, CELERY_BEAT_SCHEDULE)."""
from __future__ import annotations

from celery import shared_task

from hub.jobs import services


@shared_task(name="hub.jobs.tasks.run_job")
def run_job(job_id: int) -> None:
    services.job_run(job_id)


@shared_task(name="hub.jobs.tasks.purge_expired_jobs")
def purge_expired_jobs() -> dict:
    return services.jobs_purge()
