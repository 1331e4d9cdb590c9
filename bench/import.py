#!/usr/bin/env python
"""Benchmark of the consultation import: a realistic bundle of 20,000 comments imported on SQLite and PostgreSQL.

    .venv/bin/python bench/import.py [--comments 20000] [--db sqlite,postgres] [--runs 1] [--keep BUNDLE_DIR]

Builds one bundle folder (workplan of 15 priorities and 3 working groups co-led by organisations, a discussion with
moderators, 3 questions, N comments of 1-3 KB: a third of them replies up to 4 deep, 0-3 priority links, some
working groups, attributions to a person or to an organisation only, badges, 200 authors of whom 40 have an account
here, and one attachment per 1,000 comments). Then, for each database, in a fresh process: a fresh database (a
temporary SQLite file; for PostgreSQL the database `hub_q3_bench`, dropped and created again), the 40 accounts,
and one timed `import_consultation_bundle`, which includes the validation, the writes and the commit (with the
search reindex the commit triggers). It prints seconds, comments/s, how much of it the search index took, the
process's CPU time (the machine may be shared: a load average above the cores slows the wall clock), and the
process's peak RSS (ru_maxrss) and how much the import raised it. Target (issue 11): at least 1,000 comments/s on both.

PostgreSQL: DATABASE_URL is taken from --pg-url (default postgres://postgres@127.0.0.1:5432/hub_q3_bench).
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1000
PG_URL = "postgres://postgres@127.0.0.1:5432/hub_q3_bench"
PDF = ROOT / "tests" / "data" / "interchange" / "example" / "attachments" / "position-paper.pdf"

PARAGRAPHS = [
    "The Network welcomes the draft workplan and its focus on the implementation of the Global Compact. "
    "We would encourage the secretariat to align the indicators with GCM Obj. 15 and PD 51, and to make sure "
    "that the voices of migrants themselves are heard in every working group.",
    "Ongoing Priority 3 on alternatives to immigration detention remains central for our members, who run "
    "community-based case management programmes in several regions and can share practice and data.",
    "We suggest adding a reference to the role of local authorities, trade unions and employers in fair "
    "recruitment, and to the capacity needs of UN country teams when reporting on progress (see "
    "<a href=\"https://example.org/report\">our report</a>).",
    "New Priority 5 should say more about socio-economic integration: access to decent work, to skills "
    "recognition and to social protection, with <strong>measurable</strong> targets.",
    "نرحب بخطة العمل ونقترح إدراج مؤشرات محددة لقياس التقدم المحرز في تنفيذ الاتفاق العالمي.",
    "Nous saluons le projet de plan de travail et proposons de renforcer la priorité sur les voies régulières.",
]
GROUPS = ["member_state", "un_entity", "civil_society", "trade_union", "migrant_led", "academia", "private_sector"]


def _body(rng: random.Random) -> str:
    parts = [f"<p>{p}</p>" for p in rng.sample(PARAGRAPHS, rng.randint(2, 4))]
    items = "".join(f"<li>{rng.choice(PARAGRAPHS)[:140]}</li>" for _ in range(rng.randint(2, 5)))
    parts.insert(1, f"<ol>{items}</ol>" if rng.random() < 0.5 else f"<ul>{items}</ul>")
    if rng.random() < 0.2:
        parts.append("<blockquote><p>GCM Obj. 15, PD 51: ensure access to basic services for migrants.</p>"
                     "</blockquote>")
    return "".join(parts)


def account_emails(count: int = 40) -> list[str]:
    return [f"author{i}@example.org" for i in range(count)]


def build_bundle(root: Path, comments: int) -> Path:
    """Write the bundle folder (consultation.json and the attachments) and return it."""
    rng = random.Random(11)
    root.mkdir(parents=True, exist_ok=True)
    (root / "attachments").mkdir(exist_ok=True)
    pdf = PDF.read_bytes()
    sha = hashlib.sha256(pdf).hexdigest()
    codes = [f"NP{n}" for n in range(1, 6)] + [f"OP{n}" for n in range(1, 11)]
    priorities = [{"code": code, "kind": "new" if code.startswith("NP") else "ongoing", "number": int(code[2:]),
                   "title": f"Example priority {code}", "description_html": "<p>Example description.</p>",
                   "gcm_objectives": [1 + i % 23]} for i, code in enumerate(codes)]
    groups = [{"slug": f"wg-{i}", "name": f"Working group {i}", "kind": "working_group",
               "priorities": rng.sample(codes, 2), "co_leads": [f"Organisation {i}", f"Organisation {i + 10}"]}
              for i in range(3)]
    emails = account_emails()
    authors = []
    for i in range(200):
        person = {"name": f"Author {i} Example-Fernández", "organisation": f"Organisation {i % 60}",
                  "stakeholder_group": GROUPS[i % len(GROUPS)], "badge": "UN Network" if i % 5 == 0 else None,
                  "attribution": "organisation" if i % 9 == 0 else "person"}
        if i < len(emails):
            person["email"] = emails[i]
        authors.append(person)
    moderator = {"name": "Example Moderator", "organisation": "Network Secretariat", "badge": "UN Network",
                 "email": emails[0]}
    questions = [{"id": f"q{i}", "order": i, "text": f"Question {i}: what should the network do?",
                  "posted_by": {"name": "Example Moderator", "organisation": "Network Secretariat"},
                  "posted_at": "2025-09-01T08:00:00+02:00"} for i in range(1, 4)]
    start = datetime.datetime(2025, 9, 2, tzinfo=datetime.timezone.utc)
    items, depth = [], {}
    for i in range(comments):
        cid = f"c{i + 1}"
        parent = None
        if i > 10 and i % 3 == 2:
            parent = items[rng.randint(max(0, i - 200), i - 1)]["id"]
            if depth[parent] >= 4:
                parent = None
        depth[cid] = depth[parent] + 1 if parent else 0
        item = {"id": cid, "question": None if parent or i % 10 == 0 else f"q{1 + i % 3}", "parent": parent,
                "author": authors[rng.randrange(len(authors))],
                "posted_at": (start + datetime.timedelta(minutes=i)).isoformat(),
                "status": "published" if i % 10 else rng.choice(["pending", "declined", "hidden"]),
                "body_html": _body(rng), "priorities": rng.sample(codes, rng.randint(0, 3)),
                "working_groups": [f"wg-{i % 3}"] if i % 7 == 0 else [], "attachments": []}
        if i % 1000 == 999:
            path = f"attachments/{cid}-position-paper.pdf"
            (root / path).write_bytes(pdf)
            item["attachments"].append({"filename": "Position paper (final).pdf", "path": path,
                                        "content_type": "application/pdf", "size": len(pdf), "sha256": sha})
        items.append(item)
    data = {
        "format": "hub-consultation", "version": 1, "exported_at": "2026-01-15T09:00:00+00:00",
        "workplan": {"slug": "bench-workplan", "title": "Bench Network Workplan 2025-2027", "period_start": 2025,
                     "period_end": 2027, "status": "draft", "priorities": priorities, "working_groups": groups},
        "discussion": {"slug": "bench-consultation", "title": "Draft Bench Workplan 2025-2027",
                       "welcome_html": "<p>Please read the draft.</p>", "status": "closed",
                       "opens_at": "2025-09-01T08:00:00+02:00", "closes_at": "2025-10-31T23:59:00+01:00",
                       "expected_audience": "All network members", "languages": ["en"], "moderators": [moderator],
                       "workplan": "bench-workplan"},
        "questions": questions, "comments": items,
    }
    (root / "consultation.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return root


def _postgres_fresh(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    assert name == "hub_q3_bench", "the bench only ever drops its own database"
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _postgres_reachable(url: str) -> bool:
    try:
        import psycopg2

        psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means: no PostgreSQL here
        return False
    return True


def measure(db: str, bundle: Path, workdir: Path, pg_url: str) -> dict:
    """In this (fresh) process: a fresh database, the accounts, one timed import."""
    if db == "postgres":
        _postgres_fresh(pg_url)
        os.environ["DATABASE_URL"] = pg_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["HUB_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.pop("HUB_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from discussions.interchange import import_consultation_bundle
    from discussions.models import Comment
    from hub.models import User

    call_command("migrate", verbosity=0, interactive=False)
    for i, email in enumerate(account_emails()):
        User.objects.create_user(username=f"author{i}", email=email, password=None)
    from hub.search import indexing

    indexed = [0.0]
    reindex = indexing.reindex

    def timed_reindex(kind, pks):
        began = time.perf_counter()
        try:
            return reindex(kind, pks)
        finally:
            indexed[0] += time.perf_counter() - began

    indexing.reindex = timed_reindex  # to say how much of the time the search index takes on commit
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    calls = []
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    import inspect

    # The import before the progress parameter existed can be measured too.
    extra = ({"progress": lambda done, total: calls.append(done)}
             if "progress" in inspect.signature(import_consultation_bundle).parameters else {})
    report = import_consultation_bundle(bundle, update_existing=False, grant_moderators=True, **extra)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    peak_mb = usage.ru_maxrss / 1024
    count = Comment.objects.filter(discussion=report.discussion).count()
    return {"db": db, "comments": count, "seconds": round(seconds, 2), "per_second": round(count / seconds),
            "peak_rss_mb": round(peak_mb, 1), "import_rss_mb": round(peak_mb - before_mb, 1),
            "progress_calls": len(calls), "cpu_seconds": round(cpu, 2), "index_seconds": round(indexed[0], 2),
            "load": round(os.getloadavg()[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--keep", help="build the bundle in this folder (reused if it holds one)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds one measured import may take at most")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--bundle", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.bundle), Path(args.workdir), args.pg_url)))
        return

    with tempfile.TemporaryDirectory(prefix="hub-bench-import-") as tmp:
        bundle = Path(args.keep) if args.keep else Path(tmp) / "bundle"
        if not (bundle / "consultation.json").exists():
            started = time.perf_counter()
            build_bundle(bundle, args.comments)
            size = (bundle / "consultation.json").stat().st_size / 1e6
            print(f"Built a bundle of {args.comments:,} comments ({size:.1f} MB) in "
                  f"{time.perf_counter() - started:.1f} s")
        met = True
        for db in [d.strip() for d in args.db.split(",") if d.strip()]:
            if db == "postgres" and not _postgres_reachable(args.pg_url):
                print(f"postgres: skipped, cannot connect to {args.pg_url.rsplit('/', 1)[0]}")
                continue
            for run in range(args.runs):
                workdir = Path(tmp) / f"{db}-{run}"
                workdir.mkdir()
                proc = subprocess.run(
                    [sys.executable, __file__, "--measure", db, "--bundle", str(bundle), "--workdir", str(workdir),
                     "--pg-url", args.pg_url],
                    capture_output=True, text=True, cwd=ROOT, timeout=args.timeout)
                if proc.returncode:
                    print(proc.stderr[-3000:])
                    raise SystemExit(f"{db}: the import failed")
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                met &= r["per_second"] >= TARGET
                print(f"{db:8} run {run + 1}: {r['comments']:,} comments in {r['seconds']} s = "
                      f"{r['per_second']:,} comments/s (of which search index on commit {r['index_seconds']} s; "
                      f"this process's CPU {r['cpu_seconds']} s; load average {r['load']}); peak RSS "
                      f"{r['peak_rss_mb']} MB (+{r['import_rss_mb']} MB during the import); "
                      f"{r['progress_calls']} progress calls")
        print(f"Target: at least {TARGET:,} comments/s on each database: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
