#!/usr/bin/env python
"""Benchmark: the search page over 100,000 comments and 5,000 resources.

Builds a throwaway database — on PostgreSQL (`hub_bench_search` on the server of DATABASE_URL, or of
postgres://postgres@127.0.0.1:5432/ when DATABASE_URL is not a PostgreSQL one; dropped afterwards), and on SQLite in
a temporary folder for comparison — holding a workplan with 15 priorities, 20 discussions with 5,000 published
comments each (bodies of 300-2,000 characters drawn from a vocabulary of 5,000 words with a Zipf distribution, so
common words match most comments; one in ten in French; one in 25 with an attached document of 2-20 KB of text) and
5,000 resources (indexed through a stand-in provider of kind "resource", since the library is another app). It
indexes everything with `rebuild_search_index`'s code, then asks the search page (Django's test client, DEBUG off)
a fixed list of one- to three-word queries, drawn from the same distribution, and prints the median, 95th percentile
and maximum time, and the SQL queries each request made (which must not vary).

    .venv/bin/python bench/search.py [--comments 100000] [--resources 5000] [--queries 200]
                                     [--database both|postgres|sqlite] [--seed 1] [--keep]

Without a reachable PostgreSQL server it measures SQLite alone and says so. Each run is bounded: at most
--queries requests, and it stops early past --max-seconds of querying.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "hub_bench_search"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_MS = 100

SYLLABLES = ("ka te ri mo sa lu ne vi da po ma ge bi ro fu la tu se ni go ha ze ki do mu re ya pi lo na wa cu "
             "fe xo ju").split()
DOMAIN = ("migration governance network members regular pathways capacity development return reintegration labour "
          "mobility agreements alternatives detention climate change human rights data indicators implementation "
          "review national plans local authorities civil society trade unions organisations evidence coordination "
          "funding partnership support protection inclusion health services access justice children families "
          "integration skills recognition remittances consular assistance border management cooperation dialogue "
          "regional processes workers recruitment women youth diaspora statistics").split()
FRENCH = ("les migrants travailleurs doivent être protégés dans les accords bilatéraux de mobilité de la main "
          "d'oeuvre et la réintégration durable des personnes qui reviennent dans leur pays d'origine").split()


def pg_server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else DEFAULT_PG_URL


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def pg_admin(url: str, *statements: str) -> bool:
    """Run statements on the server's maintenance database; False when no server answers."""
    try:
        import psycopg2
    except ImportError:
        return False
    try:
        connection = psycopg2.connect(with_database(url, "postgres"), connect_timeout=3)
    except psycopg2.Error:
        return False
    connection.autocommit = True
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    connection.close()
    return True


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words = list(dict.fromkeys(DOMAIN))
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in words:
            words.append(word)
    return words


class Zipf:
    """Draws words: the n-th most common about 1/n as often as the first."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        weights = [1 / (rank + 1) for rank in range(len(words))]
        total = sum(weights)
        self.cumulative, running = [], 0.0
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def draw(self, rng: random.Random, n: int) -> list[str]:
        import bisect

        return [self.words[min(bisect.bisect(self.cumulative, rng.random()), len(self.words) - 1)]
                for _ in range(n)]


def text(rng: random.Random, zipf: Zipf, chars: int, french: bool = False) -> str:
    sentences, size = [], 0
    while size < chars:
        words = rng.sample(FRENCH, rng.randint(6, 12)) if french else zipf.draw(rng, rng.randint(8, 20))
        sentence = " ".join(words)
        sentence = sentence[0].upper() + sentence[1:] + "."
        sentences.append(sentence)
        size += len(sentence) + 1
    return " ".join(sentences)


class ResourceStandIn:
    """A provider of kind "resource" (the library is another app): documents made from the seed, no table."""

    kind = "resource"
    label = "Resources"
    models: list = []

    def __init__(self, count: int, seed: int, zipf: Zipf) -> None:
        self.count, self.seed, self.zipf = count, seed, zipf

    def owner_pks(self, instance) -> list[int]:
        return []

    def documents(self, pks):
        from hub.search.registry import SearchDoc

        for pk in (pks if pks is not None else range(1, self.count + 1)):
            rng = random.Random(self.seed * 1_000_003 + pk)
            yield SearchDoc(kind=self.kind, pk=pk, title=" ".join(self.zipf.draw(rng, 6)).capitalize(),
                            body=text(rng, self.zipf, rng.randint(300, 1500)),
                            extra_text=text(rng, self.zipf, rng.randint(2000, 10000)) if pk % 3 == 0 else "",
                            language="en", url=f"/library/{pk}/")


def build(args, rng: random.Random, zipf: Zipf) -> dict:
    """Workplan, discussions and comments written in bulk (no signals: the index is built afterwards)."""
    import hashlib

    from django.db import transaction
    from django.utils import timezone

    from discussions.models import Attachment, Comment, Discussion, Question
    from hub.models import Organisation, Profile, StakeholderGroup, User
    from hub.search.models import ExtractedText
    from workplan.models import Priority, Workplan

    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        workplan = Workplan.objects.create(slug="bench", title="Benchmark Workplan", period_start=2025,
                                           period_end=2027)
        priorities = [Priority.objects.create(workplan=workplan, kind=kind, number=n,
                                              title=" ".join(zipf.draw(rng, 5)).capitalize())
                      for kind, count in (("new", 5), ("ongoing", 10)) for n in range(1, count + 1)]
        organisations = [Organisation.objects.create(name=f"Organisation {i}", acronym=f"O{i}",
                                                     stakeholder_group=StakeholderGroup.values[i % 5])
                         for i in range(50)]
        authors = []
        for i in range(200):
            user = User.objects.create_user(username=f"bench{i}", email=f"bench{i}@example.org", password=None)
            Profile.objects.create(user=user, display_name=f"Author {i}", organisation=organisations[i % 50])
            authors.append(user)
    per_discussion = math.ceil(args.comments / 20) if args.comments else 0
    made = 0
    for d in range(20 if args.comments else 0):
        with transaction.atomic():
            discussion = Discussion.objects.create(
                slug=f"bench-{d}", title=f"Consultation {d}: " + " ".join(zipf.draw(rng, 4)),
                welcome=f"<p>{text(rng, zipf, 400)}</p>", status=Discussion.Status.OPEN,
                opens_at=now - timedelta(days=400), workplan=workplan)
            questions = [Question.objects.create(discussion=discussion, order=q, text=text(rng, zipf, 120))
                         for q in range(3)]
            batch = []
            for i in range(min(per_discussion, args.comments - made)):
                author = authors[rng.randrange(200)]
                french = rng.random() < 0.1
                body = text(rng, zipf, rng.randint(300, 2000), french=french)
                moment = now - timedelta(minutes=rng.randint(0, 400 * 24 * 60))
                batch.append(Comment(discussion=discussion, question=questions[i % 3] if i % 4 else None,
                                     author=author, author_name=f"Author {author.pk}",
                                     author_organisation=f"Organisation {author.pk % 50}", body=f"<p>{body}</p>",
                                     body_text=body, status=Comment.Status.PUBLISHED, created_at=moment,
                                     published_at=moment))
            comments = Comment.objects.bulk_create(batch, batch_size=1000)
            made += len(comments)
            through = Comment.priorities.through
            through.objects.bulk_create([through(comment_id=c.pk, priority_id=p.pk) for c in comments
                                         for p in rng.sample(priorities, rng.choice((0, 1, 1, 2)))], batch_size=2000)
            attachments, texts = [], []
            for c in comments:
                if rng.random() < 0.04:
                    content = text(rng, zipf, rng.randint(2000, 20000))
                    digest = hashlib.sha256(f"{c.pk}-{content[:50]}".encode()).hexdigest()
                    attachments.append(Attachment(comment=c, file=f"attachments/bench/{digest}",
                                                  original_name="Full comments.pdf", content_type="application/pdf",
                                                  size=len(content), sha256=digest))
                    texts.append(ExtractedText(sha256=digest, text=content))
            Attachment.objects.bulk_create(attachments, batch_size=1000)
            ExtractedText.objects.bulk_create(texts, batch_size=1000)
    return {"comments": made, "seconds": time.perf_counter() - started}


def _backend_cpu_reader(connection):
    """A function giving the CPU milliseconds the PostgreSQL backend of this connection has used so far (0 on
    SQLite, whose work is done in this thread, or when the server is not on this machine)."""
    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    path = Path(f"/proc/{pid}/schedstat")
    if not path.exists():
        print("   (PostgreSQL's CPU time is not readable here: the CPU times below leave it out.)")
        return lambda: 0.0
    return lambda: int(path.read_text().split()[0]) / 1e6


def run(args, vendor: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hub.search import indexing, registry
    from hub.search.models import SearchEntry

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    zipf = Zipf(vocabulary(rng, 5000))
    registry.register(ResourceStandIn(args.resources, args.seed, zipf))
    built = build(args, rng, zipf)
    started = time.perf_counter()
    counts = indexing.rebuild()
    indexed = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_searchentry")
    entries = SearchEntry.objects.count()

    queries_rng = random.Random(args.seed + 1)
    texts = [" ".join(zipf.draw(queries_rng, 1 + i % 3)) for i in range(args.queries)]
    client = Client()
    for text_ in texts[:10]:  # warm the caches and the connection
        client.get("/search/", {"q": text_})
    backend_cpu = _backend_cpu_reader(connection)
    timings, cpu, query_counts, hits, by_words = [], [], set(), [], {1: [], 2: [], 3: []}
    deadline = time.perf_counter() + args.max_seconds
    for text_ in texts:
        with CaptureQueriesContext(connection) as captured:
            begin, begin_cpu, begin_db = time.perf_counter(), time.thread_time(), backend_cpu()
            response = client.get("/search/", {"q": text_})
            elapsed = (time.perf_counter() - begin) * 1000
            cpu.append((time.thread_time() - begin_cpu) * 1000 + (backend_cpu() - begin_db))
        if response.status_code != 200:
            print(f"GET /search/?q={text_} answered {response.status_code}", file=sys.stderr)
            return 1
        timings.append(elapsed)
        by_words[len(text_.split())].append(elapsed)
        query_counts.add(len(captured.captured_queries))
        page = response.content.decode()
        hits.append(page.count('class="search-hit'))
        if time.perf_counter() > deadline:
            print(f"Stopped after {len(timings)} queries: more than {args.max_seconds} s of querying.")
            break

    def pct(values, p):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    label = "PostgreSQL" if vendor == "postgres" else "SQLite"
    print(f"== {label}: {built['comments']:,} comments, {args.resources:,} resources; {entries:,} index entries "
          f"({', '.join(f'{n:,} {k}' for k, n in counts.items())})")
    print(f"   data written in {built['seconds']:.0f} s, index built in {indexed:.0f} s "
          f"({entries / indexed:,.0f} entries/s)")
    print(f"   {len(timings)} searches of 1-3 words (page of 20 with total and snippets, through the test client):")
    print(f"   p50 {statistics.median(timings):.1f} ms, p95 {pct(timings, 95):.1f} ms, max {max(timings):.1f} ms; "
          f"SQL queries per search: {sorted(query_counts)}; results on the page: median {statistics.median(hits):.0f}")
    whose = "this process and its PostgreSQL backend" if vendor == "postgres" else "this process"
    print(f"   CPU time per search ({whose}; about the wall time on an idle machine): "
          f"p50 {statistics.median(cpu):.1f} ms, p95 {pct(cpu, 95):.1f} ms, max {max(cpu):.1f} ms")
    print(f"   machine load while measuring: {os.getloadavg()[0]:.1f} (1-minute load average, {os.cpu_count()} cores)")
    for words, values in by_words.items():
        if values:
            print(f"   {words} word(s): p50 {statistics.median(values):.1f} ms, p95 {pct(values, 95):.1f} ms, "
                  f"max {max(values):.1f} ms ({len(values)} searches)")
    if vendor == "postgres":
        verdict = "meets" if pct(timings, 95) < TARGET_MS else "MISSES"
        cpu_verdict = "meets" if pct(cpu, 95) < TARGET_MS else "MISSES"
        print(f"   p95 wall time {verdict} the target of {TARGET_MS} ms; p95 CPU time {cpu_verdict} it.")
    return 0 if len(query_counts) == 1 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--resources", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="stop querying after this long (120)")
    parser.add_argument("--database", choices=("both", "postgres", "sqlite"), default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the databases (and say where)")
    parser.add_argument("--child", choices=("postgres", "sqlite"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        return run(args, args.child)

    # Each database gets its own process: Django's settings read DATABASE_URL once.
    status = 0
    server = pg_server_url()
    if args.database in ("both", "postgres"):
        if pg_admin(server, f"DROP DATABASE IF EXISTS {PG_DATABASE}", f"CREATE DATABASE {PG_DATABASE}"):
            try:
                status |= child(args, "postgres", {"DATABASE_URL": with_database(server, PG_DATABASE)})
            finally:
                if args.keep:
                    print(f"PostgreSQL database kept: {with_database(server, PG_DATABASE)}")
                else:
                    pg_admin(server, f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        else:
            print(f"No PostgreSQL server answers at {with_database(server, 'postgres')}: PostgreSQL not measured.")
            if args.database == "postgres":
                return 1
    if args.database in ("both", "sqlite"):
        tmp = Path(tempfile.mkdtemp(prefix="hub-bench-search-"))
        try:
            status |= child(args, "sqlite", {"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}"})
        finally:
            if args.keep:
                print(f"SQLite database kept: {tmp / 'bench.db'}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    return status


def child(args, vendor: str, env: dict) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-search-media-"))
    environment = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "hub.settings", "HUB_HTTPS": "0",
                   "DJANGO_ALLOWED_HOSTS": "testserver", "HUB_MEDIA_ROOT": str(tmp / "media"),
                   "HUB_STATIC_ROOT": str(tmp / "static"),
                   "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    environment.pop("DJANGO_DEBUG", None)  # measure the production configuration
    (tmp / "static").mkdir()
    command = [sys.executable, __file__, "--child", vendor, "--comments", str(args.comments), "--resources",
               str(args.resources), "--queries", str(args.queries), "--max-seconds", str(args.max_seconds),
               "--seed", str(args.seed)]
    try:
        return subprocess.call(command, env=environment, cwd=ROOT)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
