#!/usr/bin/env python
"""Benchmark: a moderator posts a question to a discussion with 2,000 followers.

Builds a throwaway SQLite database in a temporary folder (2,000 followers, a quarter of them reading French),
starts a real Celery worker (`celery -A hub worker`, on a queue of its own on Redis) and a real SMTP server
(aiosmtpd), then posts a question through Django's test client as the moderator, several times. For each run it
prints the time of the request (target: under 300 ms, however many followers; the first request of the process is
reported apart, as it also compiles templates and opens the broker connection) and the time until every
follower's mail has arrived at the SMTP server. Exits with status 1 if a run loses or duplicates a mail.

    .venv/bin/python bench/followers.py [--followers 2000] [--runs 3] [--timeout 300]

Needs Redis (HUB_TEST_BROKER_URL, default redis://127.0.0.1:6379/1); without it, it says so and exits 0. Ports come
from HUB_TEST_PORTS ("8300-8399") when set. Every wait is bounded by --timeout.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the mails of one run")
    args = parser.parse_args()

    from tests.worker import MailSink, Worker, broker_problem, broker_url

    problem = broker_problem()
    if problem:
        print(f"skipped: {problem}")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-followers-"))
    sink = worker = None
    try:
        database_url = f"sqlite:///{tmp / 'bench.db'}"
        site_url = "https://hub.example.org"
        os.environ.update({
            "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "hub.settings", "HUB_HTTPS": "0",
            "HUB_MEDIA_ROOT": str(tmp / "media"), "HUB_STATIC_ROOT": str(tmp / "static"),
            "DJANGO_ALLOWED_HOSTS": "testserver", "HUB_SITE_URL": site_url, "HUB_LOG_LEVEL": "ERROR",
        })
        os.environ.pop("DJANGO_DEBUG", None)  # the production configuration
        (tmp / "static").mkdir()
        sink = MailSink()
        worker = Worker(database_url=database_url, smtp_port=sink.port, site_url=site_url, broker=broker_url())
        # This process queues to the worker's broker and queue: set before Django reads its settings.
        os.environ["HUB_BROKER_URL"] = worker.broker
        os.environ["HUB_TASK_QUEUE"] = worker.queue

        import django

        django.setup()
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        moderator, discussion = build(args.followers)
        print(f"database: {args.followers} followers built in {time.perf_counter() - started:.1f} s")
        sink.start()
        started = time.perf_counter()
        worker.start()
        print(f"worker ready in {time.perf_counter() - started:.1f} s (solo pool, Redis {worker.broker})")
        return measure(args, sink, worker, moderator, discussion)
    finally:
        if worker is not None:
            worker.stop()
        if sink is not None:
            sink.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def build(followers: int):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from discussions.models import Discussion, Subscription
    from hub.models import Profile, User

    with transaction.atomic():
        password = make_password(None)
        moderator = User.objects.create(username="moderator", email="moderator@hub.example.org", password=password)
        EmailAddress.objects.create(user=moderator, email=moderator.email, verified=True, primary=True)
        Profile.objects.create(user=moderator, display_name="Moderator")
        discussion = Discussion.objects.create(slug="workplan", title="Draft Network Workplan 2026-2028",
                                               status=Discussion.Status.OPEN)
        discussion.moderators.add(moderator)
        users = User.objects.bulk_create(
            [User(username=f"follower{n}", email=f"follower{n}@example.org", password=password)
             for n in range(followers)], batch_size=500)
        Profile.objects.bulk_create(
            [Profile(user=user, display_name=f"Follower {n}", language="fr" if n % 4 == 0 else "")
             for n, user in enumerate(users)], batch_size=500)
        Subscription.objects.bulk_create([Subscription(user=user, discussion=discussion) for user in users],
                                         batch_size=500)
    return moderator, discussion


def measure(args, sink, worker, moderator, discussion) -> int:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(moderator)
    url = reverse("discussions:moderation-question-add", kwargs={"slug": discussion.slug})
    requests, deliveries, failed = [], [], False
    for run in range(1, args.runs + 1):
        before = len(sink.mails())
        started = time.perf_counter()
        response = client.post(url, {"text": f"Question {run}: which priorities matter most to you?"})
        request_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            print(f"run {run}: the request answered {response.status_code}")
            return 1
        received = sink.wait_for(before + args.followers, timeout=args.timeout)
        delivered_s = time.perf_counter() - started
        got = len(received) - before
        recipients = {address for mail in received[before:] for address in mail.recipients}
        requests.append(request_ms)
        deliveries.append(delivered_s)
        ok = got == args.followers == len(recipients)
        failed |= not ok
        print(f"run {run}: request {request_ms:.0f} ms; {got}/{args.followers} mails to {len(recipients)} "
              f"addresses in {delivered_s:.1f} s ({got / delivered_s:.0f} mails/s){'' if ok else '  <-- INCOMPLETE'}")
        time.sleep(1)  # nothing more should come
        if len(sink.mails()) != before + got:
            print(f"run {run}: {len(sink.mails()) - before - got} extra mail(s) arrived late")
            failed = True
    warm = requests[1:] or requests
    print(f"request: first {requests[0]:.0f} ms (cold process: templates, broker connection), then median "
          f"{statistics.median(warm):.0f} ms, max {max(warm):.0f} ms (target < 300 ms); all mails delivered: median "
          f"{statistics.median(deliveries):.1f} s, max {max(deliveries):.1f} s over {args.runs} run(s)")
    if failed:
        print(f"worker log (tail):\n{worker.log()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
