"""Load and faults on a production-shaped Hub (two gunicorns behind nginx), on loopback only, bounded in time.

    .venv/bin/python bench/load.py [--short] [--no-faults] [--stakeholders 50] [--comments 20] [--visitors 50]
                                   [--max-seconds 420]
    (make load LOAD_ARGS=--short)

Everything runs on services of its own, started and stopped here: a PostgreSQL cluster made with initdb in a
temporary folder (127.0.0.1:55432) and a redis-server on 127.0.0.1:16379 (cache, sessions, rate limits); the
task broker is the machine's Redis, database 6. The machine's PostgreSQL and Redis are never stopped.

While N signed-in stakeholders each post M comments (10 % with a PDF, every third naming a priority; rate limits
set high for the run) and V visitors read, three faults are injected one after the other:
1. `kill -9` of one gunicorn worker in the middle of the posting;
2. PostgreSQL stopped for a few seconds, then started: pages must answer the 503 page meanwhile, and the site must
   answer again within 10 s of the database being back, without restarting anything;
3. Redis stopped for a few seconds: pages must still serve (sessions from the database, rate limits per process).
A client whose post fails (connection cut, 502, 503) sends it again with the same submission key, as a person
pressing "Post" again would. At the end the database is checked: every comment posted exactly once, none lost,
none partial (each has its attachment, priority link and audit entry). p50/p95 latencies are printed.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import MACHINE_REDIS, Client, OwnPostgres, OwnRedis, Stack, create_database, log, percentile  # noqa

ORIGINAL_BODY = "Load comment {user} #{n} {token}"


class Record:
    """What the clients saw, shared between threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reads: list[float] = []
        self.posts: list[float] = []
        self.statuses: Counter = Counter()
        self.unexpected: list[str] = []  # 5xx outside a fault window, any 500, wrong pages
        self.fault_answers: Counter = Counter()
        self.retries = 0
        self.posted: dict[str, dict] = {}  # submission key -> what was sent
        self.failed_posts: list[str] = []
        self.fault_window = False
        self.window_closed_at = 0.0
        self.done_posts = 0
        self.pages_503_ok = 0

    def in_fault(self) -> bool:
        return self.fault_window or time.monotonic() - self.window_closed_at < 3

    def note(self, kind: str, status: int, seconds: float, html: str, url: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status < 500:
                (self.reads if kind == "read" else self.posts).append(seconds)
            if status == 500:
                self.unexpected.append(f"500 on {kind} {url}")
            elif status >= 500:
                if self.in_fault():
                    self.fault_answers[status] += 1
                    if status == 503 and "briefly unavailable" in html:
                        self.pages_503_ok += 1
                else:
                    self.unexpected.append(f"{status} on {kind} {url} outside a fault")


def stakeholder(rec: Record, stack: Stack, seed: dict, person: dict, comments: int, deadline: float) -> None:
    client = Client(person["session"])
    slug, question = seed["load"]["slug"], seed["load"]["question"]
    base = stack.url(f"/discussions/{slug}/post/")
    rng = random.Random(person["user"])
    from discussions.demo.consultation import minimal_pdf

    pdf = minimal_pdf("Full comments attached")
    # The CSRF cookie, once (the form's page sets it).
    for _ in range(60):
        try:
            if client.get(f"{base}?question={question}")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.5)
    for n in range(comments):
        if time.monotonic() > deadline:
            return
        key = str(uuid.uuid4())  # what the form's hidden field holds: made when the form is rendered
        body = ORIGINAL_BODY.format(user=person["user"], n=n, token=key[:8])
        with_pdf = rng.random() < 0.10
        priority = seed["priorities"][n % len(seed["priorities"])] if n % 3 == 0 else None
        fields = [("question", question), ("body", body), ("body_format", "text"), ("submission_key", key),
                  ("action", "post")]
        if priority:
            fields.append(("priorities", priority))
        files = [("files", f"position-{n}.pdf", pdf, "application/pdf")] if with_pdf else []
        with rec.lock:
            rec.posted[key] = {"user": person["user"], "body": body, "pdf": with_pdf, "priority": priority}
        for attempt in range(80):
            try:
                status, _, html, seconds = client.post(base, fields, files, timeout=30)
            except OSError as exc:  # the connection was cut (a killed worker): send it again
                status, html, seconds = 0, str(exc), 0.0
            if status:
                rec.note("post", status, seconds, html, base)
            if status == 302:
                break
            if status and status < 500:
                with rec.lock:
                    rec.unexpected.append(f"post answered {status}: {re.sub(r'<[^>]+>', ' ', html)[:200]!r}")
                break
            with rec.lock:
                rec.retries += 1
            time.sleep(0.5)
        else:
            with rec.lock:
                rec.failed_posts.append(key)
        with rec.lock:
            rec.done_posts += 1


def visitor(rec: Record, stack: Stack, seed: dict, stop: threading.Event, think: float) -> None:
    client = Client()
    pages = [f"/discussions/{seed['load']['slug']}/"] * 6 + ["/discussions/", "/", "/about/", "/workplan/"]
    rng = random.Random()
    while not stop.is_set():
        path = rng.choice(pages)
        try:
            status, _, html, seconds = client.get(stack.url(path), timeout=60)
            rec.note("read", status, seconds, html, path)
        except OSError as exc:
            if not rec.in_fault():
                with rec.lock:
                    rec.unexpected.append(f"read {path}: {exc}")
        stop.wait(think * rng.uniform(0.5, 1.5))


def wait_progress(rec: Record, total: int, share: float, deadline: float) -> None:
    while rec.done_posts < total * share and time.monotonic() < deadline:
        time.sleep(0.2)


def faults(rec: Record, stack: Stack, pg: OwnPostgres, redis_server: OwnRedis, total: int, deadline: float,
           report: dict) -> None:
    for fault in (kill_worker, restart_postgres, stop_redis):
        try:
            fault(rec, stack, pg, redis_server, total, deadline, report)
        except Exception as exc:  # one fault going wrong must not skip the others
            log(f"{fault.__name__} went wrong: {type(exc).__name__}: {exc}")
            report.setdefault("fault_errors", []).append(f"{fault.__name__}: {exc}")
            rec.fault_window, rec.window_closed_at = False, time.monotonic()


def safe_get(client: Client, url: str, timeout: float = 60) -> tuple[int, dict, str]:
    try:
        status, head, html, _ = client.get(url, timeout=timeout)
        return status, head, html
    except OSError as exc:
        return 0, {}, str(exc)


def first_answer_after(log_file: Path, since: float, path_part: str) -> float | None:
    """Seconds from `since` to the first 2xx/3xx answer to a `path_part` request in a gunicorn access log (the
    log's time is when the answer was sent, to the second)."""
    import datetime

    pattern = re.compile(r'\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "(?:GET|POST) ([^ ]+)[^"]*" ([23]\d\d) ')
    for line in log_file.read_text(errors="replace").splitlines():
        match = pattern.search(line)
        if not match or path_part not in match.group(2):
            continue
        when = datetime.datetime.strptime(match.group(1), "%d/%b/%Y:%H:%M:%S %z").timestamp()
        if when >= int(since):
            return max(0.0, when - since)
    return None


def kill_worker(rec, stack, pg, redis_server, total, deadline, report) -> None:
    # 1. kill -9 a gunicorn worker while comments are being posted.
    wait_progress(rec, total, 0.2, deadline)
    victim = stack.worker_pids(stack.ports[0])[0]
    rec.fault_window = True
    log(f"fault 1: kill -9 gunicorn worker {victim}")
    os.kill(victim, signal.SIGKILL)
    time.sleep(2)
    rec.fault_window, rec.window_closed_at = False, time.monotonic()
    report["killed_worker"] = victim


def restart_postgres(rec, stack, pg, redis_server, total, deadline, report) -> None:
    # 2. PostgreSQL stopped, then started again.
    wait_progress(rec, total, 0.45, deadline)
    log("fault 2: PostgreSQL stops")
    rec.fault_window = True
    pg.stop("fast")
    down_at = time.monotonic()
    probe = Client()
    statuses, cached = [], []
    page = f"/discussions/{stack_slug(report)}/"
    while time.monotonic() - down_at < 4:
        # A page that must ask the database (a search, never kept whole: the discussion page itself can be built
        # from the reads kept in the cache, with the database away) answers the 503 page.
        status, head, html = safe_get(probe, stack.url(f"/search/?q=probe{len(statuses)}"))
        statuses.append(status)
        report.setdefault("down_page_ok", True)
        if status != 503 or "briefly unavailable" not in html or head.get("Retry-After") != "10":
            report["down_page_ok"] = False
        # The page the visitors keep reading may still come whole from the cache meanwhile (reported, not judged:
        # it is there only if a visitor's request stored it after the last change).
        cached.append(safe_get(probe, stack.url(page))[0])
        time.sleep(0.5)
    report["down_statuses"] = dict(Counter(statuses))
    report["down_cached_statuses"] = dict(Counter(cached))
    pg.start()
    back_at, back_wall = time.monotonic(), time.time()
    log("fault 2: PostgreSQL is back")
    # A probe through each server (it waits in line behind the load's own requests), and the servers' own logs:
    # the first page answered from the database after it came back.
    probed = {}
    for index in range(len(stack.ports)):
        while time.monotonic() - back_at < 60:
            # A search asks the database (a discussion page may come from the cache): the server is back for real.
            if safe_get(probe, stack.server_url(index, "/search/?q=recovered"))[0] == 200:
                probed[index] = time.monotonic() - back_at
                break
            time.sleep(0.2)
    report["probe_seconds"] = probed
    time.sleep(1.5)
    report["recovery_seconds"] = {
        index: first_answer_after(stack.root / f"gunicorn-{port}.log", back_wall, "/search/")
        for index, port in enumerate(stack.ports)}
    rec.fault_window, rec.window_closed_at = False, time.monotonic()


def stop_redis(rec, stack, pg, redis_server, total, deadline, report) -> None:
    # 3. Redis stopped for a while, then started again.
    probe = Client()
    wait_progress(rec, total, 0.7, deadline)
    log("fault 3: Redis stops")
    redis_server.stop()
    stopped_at = time.monotonic()
    statuses = []
    while time.monotonic() - stopped_at < 6:
        statuses.append(safe_get(probe, stack.url(f"/discussions/{stack_slug(report)}/"))[0])
        time.sleep(0.5)
    report["redis_down_statuses"] = dict(Counter(statuses))
    redis_server.start()
    log("fault 3: Redis is back")


def stack_slug(report: dict) -> str:
    return report["slug"]


def check_database(rec: Record, seed: dict) -> list[tuple[str, bool, str]]:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections
    from django.db.models import Count

    from discussions.models import Comment
    from hub.models import AuditEntry

    connections.close_all()
    comments = list(Comment.objects.filter(discussion_id=seed["load"]["id"])
                    .annotate(n_files=Count("attachments", distinct=True), n_prio=Count("priorities", distinct=True)))
    by_key = {str(c.submission_key): c for c in comments}
    bodies = Counter(c.body_text.strip() for c in comments)
    sent = rec.posted
    lost = [k for k in sent if k not in by_key]
    strange = [c.pk for c in comments if str(c.submission_key) not in sent]
    duplicated = [b for b, n in bodies.items() if n > 1]
    ct = ContentType.objects.get_for_model(Comment)
    audited = set(AuditEntry.objects.filter(action="comment.post", target_type=ct)
                  .values_list("target_id", flat=True))
    partial = []
    for key, what in sent.items():
        comment = by_key.get(key)
        if comment is None:
            continue
        if what["pdf"] != (comment.n_files == 1) or bool(what["priority"]) != (comment.n_prio == 1) \
                or str(comment.pk) not in audited or comment.body_text.strip() != what["body"]:
            partial.append(comment.pk)
    return [
        (f"every comment sent is stored ({len(sent)} sent, {len(comments)} stored)", not lost and not strange,
         f"{len(lost)} lost, {len(strange)} unknown"),
        ("no comment stored twice", not duplicated, f"{len(duplicated)} duplicated"),
        ("no partial comment (attachment, priority link and audit entry all there)", not partial,
         f"{len(partial)} partial"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="10 stakeholders x 3 comments, 10 visitors (CI)")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--stakeholders", type=int, default=50)
    parser.add_argument("--comments", type=int, default=20)
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0, help="seconds a visitor waits between pages")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--max-seconds", type=float, default=420)
    parser.add_argument("--broker-db", type=int, default=6, help="database of the machine's Redis for the broker")
    args = parser.parse_args()
    if args.short:
        args.stakeholders, args.comments, args.visitors, args.max_seconds = 10, 3, 10, min(args.max_seconds, 180)

    root = Path(tempfile.mkdtemp(prefix="hub-load-"))
    os.chmod(root, 0o755)  # the postgres user runs our cluster below it
    pg, redis_server = OwnPostgres(root / "pg"), OwnRedis(root)
    stack = None
    results: list[tuple[str, bool, str]] = []
    try:
        log("own PostgreSQL (55432) and Redis (16379)")
        pg.init()
        pg.start()
        redis_server.start()
        create_database(pg.base_url(), "hub_load")
        import redis

        redis.Redis.from_url(f"{MACHINE_REDIS}/{args.broker_db}").flushdb()
        stack = Stack(root=root, database_url=pg.url("hub_load") + "?conn_max_age=60", cache_url=redis_server.url(0),
                      broker_url=f"{MACHINE_REDIS}/{args.broker_db}", ports=[8123, 8124], nginx_port=8120,
                      workers_per_server=args.workers,
                      extra_env={"HUB_COMMENT_RATE_LIMIT": "100000/h", "HUB_SLOW_REQUEST_MS": "5000"})
        seed = stack.prepare(stakeholders=args.stakeholders)
        stack.setup_django()
        stack.start()
        log(f"{args.stakeholders} stakeholders x {args.comments} comments, {args.visitors} visitors, "
            f"{'with' if not args.no_faults else 'without'} faults, {args.workers} workers x 2 servers")
        rec = Record()
        report = {"slug": seed["load"]["slug"]}
        started = time.monotonic()
        deadline = started + args.max_seconds
        stop = threading.Event()
        visitors = [threading.Thread(target=visitor, args=(rec, stack, seed, stop, args.think), daemon=True)
                    for _ in range(args.visitors)]
        posters = [threading.Thread(target=stakeholder, args=(rec, stack, seed, person, args.comments, deadline),
                                    daemon=True) for person in seed["stakeholders"]]
        total = args.stakeholders * args.comments
        fault_thread = None
        if not args.no_faults:
            fault_thread = threading.Thread(target=faults, args=(rec, stack, pg, redis_server, total, deadline,
                                                                 report), daemon=True)
        for thread in [*visitors, *posters] + ([fault_thread] if fault_thread else []):
            thread.start()
        for thread in posters:
            thread.join(max(0.0, deadline - time.monotonic()))
        if fault_thread:
            fault_thread.join(max(5.0, deadline - time.monotonic()))
        stop.set()
        for thread in visitors:
            thread.join(10)
        elapsed = time.monotonic() - started

        print(f"\n== {rec.done_posts}/{total} posts finished in {elapsed:.0f} s "
              f"({len(rec.reads)} reads, {len(rec.posts)} posts answered, {rec.retries} resends)")
        print(f"reads: p50 {percentile(rec.reads, 50) * 1000:.0f} ms, p95 {percentile(rec.reads, 95) * 1000:.0f} ms")
        print(f"posts: p50 {percentile(rec.posts, 50) * 1000:.0f} ms, p95 {percentile(rec.posts, 95) * 1000:.0f} ms")
        print(f"statuses: {dict(sorted(rec.statuses.items()))}; during faults: {dict(rec.fault_answers)}")
        results.append((f"all {total} posts finished within {args.max_seconds:.0f} s", rec.done_posts == total
                        and not rec.failed_posts, f"{rec.done_posts} done, {len(rec.failed_posts)} gave up"))
        results.append(("no server error outside the faults, no 500 at all", not rec.unexpected,
                        "; ".join(rec.unexpected[:5])))
        results.extend(check_database(rec, seed))
        if not args.no_faults:
            results.append(("after kill -9 of a worker, its server goes on (gunicorn starts another)",
                            len(stack.worker_pids(stack.ports[0])) == args.workers, f"pid {report.get('killed_worker')}"))
            results.append(("PostgreSQL down: pages answer the 503 page (Retry-After: 10)",
                            bool(report.get("down_page_ok")),
                            f"statuses {report.get('down_statuses')}; the visitors' cached page meanwhile: "
                            f"{report.get('down_cached_statuses')}"))
            recovery = report.get("recovery_seconds", {})
            results.append(("PostgreSQL back: both servers answer from it again within 10 s, no restart",
                            len(recovery) == 2 and all(s is not None and s <= 10 for s in recovery.values()),
                            ", ".join(f"server {i}: {'never' if s is None else f'{s:.0f} s'}"
                                      for i, s in recovery.items())
                            + "; a probe queued behind the load got its page after "
                            + ", ".join(f"{s:.1f} s" for s in report.get("probe_seconds", {}).values())))
            redis_statuses = report.get("redis_down_statuses", {})
            results.append(("Redis down: pages still serve", set(redis_statuses) == {200}, f"statuses {redis_statuses}"))
            results.append(("every fault was injected", not report.get("fault_errors"),
                            "; ".join(report.get("fault_errors", []))))
    finally:
        log("stopping")
        if stack:
            stack.stop()
        redis_server.stop()
        pg.stop("immediate")
    print()
    for name, ok, detail in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}{'  — ' + detail if detail else ''}")
    failed = [r for r in results if not r[1]]
    if failed:
        print(f"\n{len(results) - len(failed)}/{len(results)} checks passed (logs kept in {root})")
    else:
        print(f"\n{len(results)}/{len(results)} checks passed")
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
