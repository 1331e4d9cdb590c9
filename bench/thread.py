#!/usr/bin/env python
"""Benchmark: render a discussion page holding every comment of a large consultation.

Builds, in a throwaway SQLite database in a temporary folder, a workplan with 15 priorities, 200 authors and a
discussion with N published comments (default 1,000: three questions, replies down to depth 4, bodies of 1-3 KB with
paragraphs, lists and links, priorities and working groups tagged, a few attachments), then renders the discussion
page with Django's test client as a visitor, several times, printing the number of SQL queries and the median, min
and max time. It does the same for a discussion of 50 comments, to show that the query count does not depend on the
number of comments, and exits with status 1 if it does.

    .venv/bin/python bench/thread.py [--comments 1000] [--runs 20] [--small 50] [--seed 1]

The first render of each size is reported apart ("cold"): the page caches per-comment fragments, and the cold
render (no fragment cached) is the worst a reader sees after a change. Comments carry the display copies (mention-
linked bodies) that the posting services store, unless --no-display-copies. The visitors' page cache is off: this
measures rendering (bench/serve.py measures the page cache). Target (issue 12): cold render of 1,000 comments
under 300 ms. The median, min and max are over the warm runs that follow.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(tmp: Path) -> None:
    """Point the settings at a database and media folder of our own, before Django is imported."""
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    os.environ.pop("DJANGO_DEBUG", None)  # measure the production configuration, not the debug one
    os.environ["HUB_HTTPS"] = "0"  # no redirect to https:// for the test client
    os.environ["HUB_MEDIA_ROOT"] = str(tmp / "media")
    os.environ["HUB_STATIC_ROOT"] = str(tmp / "static")  # not collected: the page is measured, not its assets
    (tmp / "static").mkdir()
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    # The rendering is measured, not the visitors' page cache (bench/serve.py measures that) nor the reads kept
    # with it: every run renders the page.
    os.environ["HUB_PAGE_CACHE_SECONDS"] = "0"
    sys.path.insert(0, str(ROOT))


WORDS = ("migration governance network members regular pathways capacity development return reintegration "
         "labour mobility agreements alternatives detention climate change human rights data indicators "
         "implementation review national plans local authorities civil society trade unions migrant-led "
         "organisations evidence coordination funding partnership support protection inclusion health services "
         "access justice children families integration skills recognition remittances consular assistance "
         "border management cooperation dialogue regional processes").split()
MENTIONS = ("Ongoing Priority 3", "New Priority 5", "priority area 2", "TWG3", "Ongoing Priority 10",
            "GCM Obj. 15, PD 51", "New Priority 1")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    if rng.random() < 0.25:
        words.insert(rng.randint(0, len(words)), rng.choice(MENTIONS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def body_html(rng: random.Random) -> str:
    """1-3 KB of the HTML people paste: paragraphs, a numbered or bulleted list, a link or a quote now and then."""
    target = rng.randint(1000, 3000)
    parts: list[str] = []
    size = 0
    while size < target:
        roll = rng.random()
        if roll < 0.2:
            tag = rng.choice(("ol", "ul"))
            items = "".join(f"<li>{sentence(rng)}</li>" for _ in range(rng.randint(2, 5)))
            part = f"<{tag}>{items}</{tag}>"
        elif roll < 0.28:
            part = f"<blockquote><p>{sentence(rng)}</p></blockquote>"
        elif roll < 0.36:
            part = (f'<p>{sentence(rng)} See <a href="https://example.org/report/{rng.randint(1, 999)}">'
                    f"our report</a>. {sentence(rng)}</p>")
        else:
            part = "<p>" + " ".join(sentence(rng) for _ in range(rng.randint(2, 4))) + "</p>"
        parts.append(part)
        size += len(part)
    return "".join(parts)


class World:
    """The workplan, organisations and 200 authors shared by every discussion the benchmark builds."""

    def __init__(self, rng: random.Random, authors: int = 200) -> None:
        from django.db import transaction

        with transaction.atomic():
            self._build(rng, authors)

    def _build(self, rng: random.Random, authors: int) -> None:
        from hub.models import Attribution, Organisation, Profile, StakeholderGroup, User
        from workplan.models import GcmObjective, Priority, Workplan, WorkingGroup

        self.workplan = Workplan.objects.create(slug="bench-workplan", title="Benchmark Workplan 2025-2027",
                                                period_start=2025, period_end=2027)
        objectives = list(GcmObjective.objects.all())
        self.priorities = []
        for kind, count in (("new", 5), ("ongoing", 10)):
            for number in range(1, count + 1):
                priority = Priority.objects.create(workplan=self.workplan, kind=kind, number=number,
                                                   title=f"{kind.title()} priority {number} (benchmark example)",
                                                   is_example=True)
                if objectives:
                    priority.gcm_objectives.set(rng.sample(objectives, 2))
                self.priorities.append(priority)
        groups = list(StakeholderGroup.values)
        organisations = [Organisation.objects.create(
            name=f"Benchmark Organisation {i}", acronym=f"BO{i}", stakeholder_group=groups[i % len(groups)],
            country=rng.choice(["Kenya", "Mexico", "Philippines", "Germany", "Morocco"]), network_member=i % 4 == 0)
            for i in range(1, 61)]
        self.groups = []
        for i in range(1, 4):
            group = WorkingGroup.objects.create(workplan=self.workplan, name=f"Working group {i}", slug=f"wg-{i}")
            group.priorities.set(rng.sample(self.priorities, 3))
            group.co_leads.set(rng.sample(organisations, 2))
            self.groups.append(group)
        self.authors = []
        for i in range(1, authors + 1):
            user = User.objects.create_user(username=f"author{i}", email=f"author{i}@example.org", password=None)
            organisation = organisations[i % len(organisations)]
            Profile.objects.create(user=user, display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}-{i}",
                                   organisation=organisation, country=organisation.country,
                                   attribution=Attribution.ORGANISATION if i % 17 == 0 else Attribution.PERSON)
            user.profile.organisation = organisation
            self.authors.append(user)
        self.moderator = self.authors[0]


FIRST = ("Ana", "Kwame", "Li", "Fatima", "Jonas", "Priya", "Mateo", "Amina", "Olga", "Tomás", "Nadia", "Samuel")
LAST = ("Fernández-Ortega", "Mensah", "Nakamura", "El Amrani", "Lindqvist", "Raghunathan", "Okonkwo", "Kowalczyk")


def build_discussion(world: World, *, slug: str, comments: int, rng: random.Random, max_depth: int = 4,
                     display_copies: bool = True):
    """A discussion with `comments` published comments: answers to three questions, replies down to max_depth, and
    a few general comments."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from discussions.models import Attachment, Comment, Discussion, Question
    from hub.text import clean_html, html_to_text

    start = timezone.now() - timedelta(days=40)
    with transaction.atomic():
        discussion = Discussion.objects.create(
            slug=slug, title=f"Draft Benchmark Workplan ({comments} comments)", workplan=world.workplan,
            welcome="<p>Please read the draft and answer the questions below.</p><p>It will be discussed at the "
                    'annual meeting. <a href="https://example.org/help">Help</a></p>',
            expected_audience="All network members, stakeholders and Member States", languages=["English"],
            opens_at=start, closes_at=start + timedelta(days=60), status=Discussion.Status.OPEN)
        discussion.moderators.add(world.moderator)
        questions = [Question.objects.create(
            discussion=discussion, order=i, text=text, posted_by=world.moderator,
            posted_by_name=world.moderator.profile.display_name, posted_at=start)
            for i, text in enumerate((
                "Does the workplan capture a comprehensive plan for the network's next three years?",
                "Which priority areas are of particular interest to your entity?",
                "What other priority areas should the Network consider?"), start=1)]

        made: list[Comment] = []
        through_p, through_g = Comment.priorities.through, Comment.working_groups.through
        priority_rows, group_rows = [], []
        for i in range(comments):
            author = rng.choice(world.authors)
            organisation = author.profile.organisation
            # About a third answer a question, a few are general comments, the rest reply to something earlier.
            roll = rng.random()
            parent = None
            if made and roll > 0.4:
                candidates = [c for c in made[-60:] if c.depth < max_depth]
                parent = rng.choice(candidates) if candidates else None
            html = clean_html(body_html(rng))
            comment = Comment.objects.create(
                discussion=discussion, parent=parent, depth=parent.depth + 1 if parent else 0,
                question=parent.question if parent else (None if roll < 0.03 else questions[i % 3]),
                author=author, author_name=author.profile.display_name, author_organisation=organisation.name,
                author_stakeholder_group=organisation.stakeholder_group, author_country=organisation.country,
                author_badge=organisation.shown_badge, show_personal_name=author.profile.attribution == "person",
                body=html, body_text=html_to_text(html), status=Comment.Status.PUBLISHED,
                created_at=start + timedelta(minutes=30 * i), published_at=start + timedelta(minutes=30 * i + 5))
            made.append(comment)
            for priority in rng.sample(world.priorities, rng.choice((0, 1, 1, 2, 3))):
                priority_rows.append(through_p(comment_id=comment.pk, priority_id=priority.pk))
            if rng.random() < 0.15:
                group_rows.append(through_g(comment_id=comment.pk, workinggroup_id=rng.choice(world.groups).pk))
            if rng.random() < 0.04:
                data = b"%PDF-1.4\n% benchmark attachment\n" + os.urandom(2048)
                attachment = Attachment(comment=comment, original_name=f"Full comments {i}.pdf",
                                        content_type="application/pdf", size=len(data), sha256="0" * 64)
                attachment.file.save("x.pdf", ContentFile(data), save=False)
                attachment.save()
        through_p.objects.bulk_create(priority_rows)
        through_g.objects.bulk_create(group_rows)
        if display_copies:
            # What the posting services store with each comment (and the refresh task remakes): the body as
            # each language shows it, mention-linked, so a page render does no linking.
            from discussions.rendering import refresh_display_copies

            Comment.objects.bulk_update(refresh_display_copies(made, discussion), ["body_display"], batch_size=500)
    depths = [c.depth for c in made]
    return discussion, made, max(depths) if depths else 0


def measure(url: str, runs: int, expect: list[int], profile: bool = False) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    timings, queries = [], []
    for _ in range(runs + 1):  # the first is the cold render
        profiler = None
        if profile and not timings:  # the cold render, where the time goes
            import cProfile

            profiler = cProfile.Profile()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            response = client.get(url)
            if profiler is not None:
                profiler.disable()
            elapsed = time.perf_counter() - started
        if profiler is not None:
            import pstats

            print(f"Cold render of {url}, by cumulative time (the profiler slows it down):")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}, not 200.")
        timings.append(elapsed)
        queries.append(len(captured.captured_queries))
        if len(queries) == 1:
            cold_sql = captured.captured_queries
    page = response.content.decode()
    missing = [pk for pk in expect if f"comment-{pk}" not in page]
    if missing:
        raise SystemExit(f"The page at {url} does not show comment(s) {missing[:5]}...: is it rendering every "
                         "published comment?")
    warm = timings[1:] or timings
    # The page after a change, as a visitor meets it: a moderator highlights one comment (through the service, as
    # the site does), and the next render rebuilds that comment's fragment while the others come from the cache.
    from discussions import moderation
    from discussions.models import Comment

    changed = Comment.objects.filter(pk=expect[len(expect) // 2]).select_related("discussion").first() if expect \
        else None
    after_change = None
    if changed is not None:
        moderator = changed.discussion.moderators.first()
        moderation.comment_highlight(actor=moderator, comment=changed)
        started = time.perf_counter()
        client.get(url)
        after_change = time.perf_counter() - started
    return {"cold": timings[0], "median": statistics.median(warm), "min": min(warm), "max": max(warm),
            "after_change": after_change,
            "queries": queries[0], "queries_warm": sorted(set(queries[1:])), "bytes": len(response.content),
            "sql": captured.captured_queries, "cold_sql": cold_sql}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=1000, help="comments in the large discussion (1000)")
    parser.add_argument("--runs", type=int, default=20, help="warm renders measured per size (20)")
    parser.add_argument("--small", type=int, default=50, help="comments in the small discussion (50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the generated consultation")
    parser.add_argument("--show-sql", action="store_true", help="print the queries of the large page")
    parser.add_argument("--cache-entries", type=int, default=None,
                        help="override the default cache's MAX_ENTRIES (the site's setting otherwise) to see how "
                             "the page's fragment cache behaves when it can hold every comment")
    parser.add_argument("--no-display-copies", action="store_true",
                        help="leave the comments without the stored display copies the services make, so the cold "
                             "render links every priority mention itself (as for comments imported in bulk)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and print where it is")
    parser.add_argument("--profile", action="store_true", help="profile the cold render of the large page")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    configure(tmp)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.cache import caches
        from django.core.management import call_command

        if args.cache_entries:
            settings.CACHES["default"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = args.cache_entries
        cache_note = f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]} holding at most " \
                     f"{getattr(caches['default'], '_max_entries', '?')} entries"
        from django.urls import NoReverseMatch, reverse

        try:
            reverse("discussions:discussion-detail", kwargs={"slug": "probe"})
        except NoReverseMatch:
            print("The discussion page (URL name discussions:discussion-detail) does not exist yet; nothing to "
                  "measure.", file=sys.stderr)
            return 2

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        rng = random.Random(args.seed)
        world = World(rng)
        results = {}
        for size in (args.comments, args.small):
            discussion, made, depth = build_discussion(world, slug=f"bench-{size}", comments=size, rng=rng,
                                                       display_copies=not args.no_display_copies)
            sample = [made[0].pk, made[len(made) // 2].pk, made[-1].pk] if made else []
            results[size] = (measure(reverse("discussions:discussion-detail", kwargs={"slug": discussion.slug}),
                                     args.runs, sample, profile=args.profile and size == args.comments), depth, made)
        setup = time.perf_counter() - started

        import django as dj

        copies = "without stored display copies" if args.no_display_copies else "display copies stored"
        print(f"Discussion page, anonymous reader, Django {dj.get_version()}, SQLite, DEBUG off, {args.runs} warm runs "
              f"(setup {setup:.1f} s), {cache_note}, {copies}, page cache off")
        print(f"{'comments':>9} {'depth':>5} {'authors':>7} {'KB body':>8} {'queries':>7} {'cold ms':>8} "
              f"{'median ms':>9} {'min ms':>7} {'max ms':>7} {'change ms':>9} {'page KB':>8}")
        for size, (r, depth, made) in results.items():
            authors = len({c.author_id for c in made})
            body_kb = sum(len(c.body) for c in made) / 1024
            print(f"{size:>9} {depth:>5} {authors:>7} {body_kb:>8.0f} {r['queries']:>7} {r['cold'] * 1000:>8.0f} "
                  f"{r['median'] * 1000:>9.1f} {r['min'] * 1000:>7.1f} {r['max'] * 1000:>7.1f} "
                  f"{(r['after_change'] or 0) * 1000:>9.0f} {r['bytes'] / 1024:>8.0f}")
        print("cold: the first render, every fragment made (an empty cache); change: the first render after a "
              "moderator highlighted one comment (its fragment made again, the others from the cache).")
        if args.show_sql:
            for label, key in (("cold", "cold_sql"), ("warm", "sql")):
                print(f"Queries of the {args.comments}-comment page, {label}:")
                for query in results[args.comments][0][key]:
                    print(f"  {query['time']}s  {query['sql'][:160]}")
        # The first render may differ from the later ones (fragments not yet cached); what must not differ is the
        # count between sizes, for the cold render and for the warm ones.
        cold = {size: r["queries"] for size, (r, _, _) in results.items()}
        warm = {size: r["queries_warm"] for size, (r, _, _) in results.items()}
        if len(set(cold.values())) != 1 or len({tuple(w) for w in warm.values()}) != 1 or any(
                len(w) > 1 for w in warm.values()):
            print(f"FAIL: the query count depends on the number of comments: cold {cold}, warm {warm}",
                  file=sys.stderr)
            max_entries = getattr(caches["default"], "_max_entries", None)
            if max_entries is not None and max_entries < args.comments:
                print(f"The cache holds at most {max_entries} entries, fewer than the {args.comments} comments: if the "
                      "page caches one fragment per comment, they evict each other and every render is cold. "
                      "Try --cache-entries 50000 to confirm.", file=sys.stderr)
            return 1
        print(f"Queries per render: {cold[args.comments]} cold, {warm[args.comments][0]} warm, the same at "
              f"{args.comments} and at {args.small} comments.")
        return 0
    finally:
        if args.keep:
            print(f"Database kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
