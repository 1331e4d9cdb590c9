"""Two app servers on one database: proves that Hub runs as several processes on several ports behind nginx.

    .venv/bin/python bench/scale.py            (or: make scale-demo)

Starts two gunicorn instances (ports 8113, 8114) behind Debian's nginx (127.0.0.1:8110 balances over both;
8111 and 8112 reach one server each, to prove that what one does the other sees), one Celery worker, sharing the machine's PostgreSQL (database
hub_s2_bench, recreated), Redis (cache, sessions, rate limits: database 4; broker: database 5) and one media
folder. Then prints PASS/FAIL for each check and exits non-zero if any fails. Bounded: about a minute.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import MACHINE_PG, MACHINE_REDIS, Client, Stack, create_database, form_value, log  # noqa: E402

RATE = 4  # comments per person per hour in this demo, so the limit is reached quickly
results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}{'  — ' + detail if detail else ''}", flush=True)
    return ok


def sign_in(client: Client, base: str, email: str, password: str) -> int:
    client.get(base + "/accounts/login/")
    status, head, _, _ = client.post(base + "/accounts/login/", {"login": email, "password": password})
    return status


def post_comment(client: Client, base: str, slug: str, question: int, body: str, pdf: bytes | None = None):
    status, _, html, _ = client.get(f"{base}/discussions/{slug}/post/?question={question}")
    key = form_value(html, "submission_key") or str(uuid.uuid4())
    files = [("files", "position-paper.pdf", pdf, "application/pdf")] if pdf else []
    return client.post(f"{base}/discussions/{slug}/post/", {"question": question, "body": body, "body_format": "text",
                                                             "submission_key": key, "action": "post"}, files)


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="hub_s2_bench", help="recreated on the machine's PostgreSQL")
    parser.add_argument("--cache-db", type=int, default=4, help="Redis database for cache, sessions, rate limits")
    parser.add_argument("--broker-db", type=int, default=5, help="Redis database for the task broker")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hub-scale-"))
    database = args.database
    create_database(MACHINE_PG, database)
    import redis

    for db in (args.cache_db, args.broker_db):
        redis.Redis.from_url(f"{MACHINE_REDIS}/{db}").flushdb()
    stack = Stack(root=root, database_url=f"{MACHINE_PG}/{database}", cache_url=f"{MACHINE_REDIS}/{args.cache_db}",
                  broker_url=f"{MACHINE_REDIS}/{args.broker_db}", ports=[8113, 8114], nginx_port=8110, workers_per_server=2,
                  extra_env={"HUB_COMMENT_RATE_LIMIT": f"{RATE}/h"})
    try:
        seed = stack.prepare(stakeholders=1)
        stack.setup_django()
        from discussions.demo.consultation import minimal_pdf
        log("starting two gunicorns, a worker and nginx")
        stack.start()
        a, b = (lambda path: stack.server_url(0, path)), (lambda path: stack.server_url(1, path))
        slug, question = seed["scale"]["slug"], seed["scale"]["question"]
        email = seed["stakeholders"][0]["email"]

        # Both servers answer, and nginx spreads requests over both.
        probe = f"/about/?probe={uuid.uuid4().hex}"
        answers = [Client().get(stack.url(probe))[0] for _ in range(6)]
        time.sleep(0.5)
        served = [(root / f"gunicorn-{port}.log").read_text().count(probe) for port in stack.ports]
        check("nginx spreads requests over both app servers", answers == [200] * 6 and all(served),
              f"requests per server {served}")

        person = Client()
        check("sign in through server A", sign_in(person, a(""), email, seed["password"]) == 302)
        _, _, html, _ = person.get(b("/profile/"))
        check("server B knows the session made on A", "Sign out" in html or "Log out" in html, "profile page on B")

        marker = f"Posted through B {uuid.uuid4().hex[:8]}"
        status, head, _, _ = post_comment(person, b(""), slug, question, marker, pdf=minimal_pdf("scale demo"))
        check("post a comment (with a PDF) through server B", status == 302, f"status {status}")
        comment_url = head.get("Location", "")
        comment_id = int(re.search(r"(\d+)", comment_url.split("#")[-1] or comment_url).group(1)) if comment_url else 0
        _, _, page_a, _ = person.get(a(f"/discussions/{slug}/"))
        check("the author sees it, pending, through server A", marker in page_a)

        # The rate limit counts across both servers: RATE posts in all, alternating, then one more is refused.
        statuses = [status]
        for i in range(1, RATE + 1):
            base = a("") if i % 2 else b("")
            statuses.append(post_comment(person, base, slug, question, f"Rate limit probe {i} {uuid.uuid4().hex}")[0])
        check(f"the rate limit ({RATE}/h) counts across both servers", statuses == [302] * RATE + [429],
              f"statuses {statuses}")

        visitor = Client()
        _, _, before, _ = visitor.get(b(f"/discussions/{slug}/"))
        check("a visitor of B does not see the pending comment", marker not in before)
        moderator = Client()
        sign_in(moderator, a(""), seed["moderator"], seed["password"])
        moderator.get(a(f"/discussions/moderation/comments/{comment_id}/"))
        status, _, _, _ = moderator.post(a(f"/discussions/moderation/comments/{comment_id}/publish/"), {})
        published_at = time.monotonic()
        check("the moderator publishes it on server A", status in (302, 200), f"status {status}")
        _, _, after, _ = visitor.get(b(f"/discussions/{slug}/"))
        seen_in = time.monotonic() - published_at
        check("the visitor of B sees it at once", marker in after, f"{seen_in * 1000:.0f} ms after publishing")

        link = re.search(r'href="(/discussions/files/\d+/)"', after)
        if check("the attachment is linked on B's page", bool(link)):
            status, head, body, _ = visitor.get(a(link.group(1)))
            check("the file uploaded through B downloads through A (shared media, X-Accel-Redirect)",
                  status == 200 and body.startswith("%PDF"), f"status {status}")

        status, _, _, _ = person.post(b("/accounts/logout/"), {})
        _, _, html, _ = person.get(a("/profile/"))
        check("signing out on B signs out on A", status == 302 and ("Sign out" not in html and "Log out" not in html))

        # A graceful reload (what `systemctl reload hub-web` sends): new workers, and no request is refused.
        port = stack.ports[0]
        before = set(stack.worker_pids(port))
        os.kill(stack.servers[port].pid, signal.SIGHUP)
        statuses, started = [], time.monotonic()
        while time.monotonic() - started < 30:
            statuses.append(Client().get(a("/about/"))[0])
            now = set(stack.worker_pids(port))
            if len(now) == stack.workers_per_server and not now & before and time.monotonic() - started > 2:
                break
            time.sleep(0.1)
        after = set(stack.worker_pids(port))
        check("graceful reload (HUP) of server A: new workers, every request answered",
              statuses and set(statuses) == {200} and not after & before,
              f"{len(statuses)} requests meanwhile, workers {sorted(before)} -> {sorted(after)}")

        worker_log = (root / "worker.log").read_text()
        check("the task worker runs beside them", "ready." in worker_log)
    finally:
        log("stopping")
        stack.stop()
        for folder in ("static", "media"):
            shutil.rmtree(root / folder, ignore_errors=True)
    failed = [name for name, ok, _ in results if not ok]
    print(f"\n{len(results) - len(failed)}/{len(results)} checks passed (logs in {root})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
