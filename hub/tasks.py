"""The site-wide tasks: sending e-mail (hub.mail queues it), and `enqueue`, the one way work is handed to the
queue from a request."""
from __future__ import annotations

import logging
import random

from celery import shared_task
from django.conf import settings

from hub.mail import describe_payload, send_payloads

log = logging.getLogger(__name__)

# Seconds; below the Redis visibility timeout (settings), so that a retry waiting in a worker is not redelivered.
RETRY_MAX_DELAY = 3600


def retry_delay(retries: int) -> float:
    """Seconds before try number `retries + 2`: HUB_MAIL_RETRY_DELAY doubling each time, at most an hour, with a
    little jitter so that many mails held back by one outage do not all return in the same second."""
    delay = min(settings.HUB_MAIL_RETRY_DELAY * (2 ** retries), RETRY_MAX_DELAY)
    return delay * random.uniform(1.0, 1.1)


def enqueue(task, *args) -> None:
    """Queue `task(*args)`; call it from an on-commit callback. Without a broker the task runs here at once and
    its failure is logged. If the broker cannot be reached, the task runs here instead: slower for this request,
    but nothing is lost. Nothing raises into the action whose data is already saved."""
    if task.app.conf.task_always_eager:
        try:
            task.apply(args=args, throw=True)
        except Exception:  # noqa: BLE001
            log.exception("Task %s failed", task.name)
        return
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 - a broker outage
        log.exception("Task queue unreachable: running %s in this process", task.name)
        try:
            task.apply(args=args, throw=True)
        except Exception:  # noqa: BLE001
            log.exception("Task %s failed", task.name)


@shared_task(bind=True, name="hub.tasks.send_emails", acks_late=True)
def send_emails(self, payloads: list[dict]) -> int:
    """Send the messages (hub.mail.message_to_payload) over one connection; those that failed for a passing reason
    (server down, 4xx) are tried again later, with exponential backoff, up to HUB_MAIL_MAX_TRIES tries in all.
    Returns how many were handed to the mail server."""
    retry = send_payloads(payloads)
    sent = len(payloads) - len(retry)
    if not retry:
        return sent
    tries = self.request.retries + 1
    if self.request.is_eager or tries >= settings.HUB_MAIL_MAX_TRIES:
        # No broker to wait on (development, tests): logged, as a mail that cannot be sent always was.
        for payload in retry:
            log.error("E-mail not sent: %s (gave up after %d tr%s)", describe_payload(payload), tries,
                      "y" if tries == 1 else "ies")
        return sent
    countdown = retry_delay(self.request.retries)
    log.warning("%d e-mail(s) not sent (try %d of %d); next try in %.0f s", len(retry), tries,
                settings.HUB_MAIL_MAX_TRIES, countdown)
    # Only the messages still unsent go round again, so nobody gets a mail twice.
    raise self.retry(args=(retry,), countdown=countdown, max_retries=settings.HUB_MAIL_MAX_TRIES - 1)
