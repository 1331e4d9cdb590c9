"""Benchmark of the feedback export: 100,000 comments to CSV and to Excel, rows per second and peak memory.

    .venv/bin/python bench/export.py [--comments 100000 [20000 ...]] [--formats csv xlsx xlsx-openpyxl]

Builds a throwaway SQLite database in a temporary folder (never the project's database), fills it with one
discussion of realistic comments (1-3 KB bodies with lists, 1-2 priorities each, replies, 300 authors), then runs
each export in a fresh subprocess so its peak RSS (resource.getrusage) belongs to that export alone.
Targets (issue 6): CSV under 20 s with peak RSS under 200 MB. Issue 11: the whole Excel workbook of 100,000
comments under 60 s and of 20,000 under 12 s, peak RSS under 200 MB.

"xlsx" is the site's writer (XlsxWriter, constant-memory mode); "xlsx-openpyxl" writes the same workbook from the
same rows with openpyxl's write-only mode (bench/excel_openpyxl.py), the writer it replaced, for comparison.
"""
from __future__ import annotations

import argparse
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
CSV_SECONDS, CSV_MB, XLSX_MB = 20, 200, 200
XLSX_SECONDS = {100_000: 60, 20_000: 12}  # by number of comments
FORMATS = ("csv", "xlsx", "xlsx-openpyxl")


def _django(db_path: Path, media: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["HUB_MEDIA_ROOT"] = str(media)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


PARAGRAPHS = [
    "The Network welcomes the draft workplan and its focus on the implementation of the Global Compact. "
    "We would encourage the secretariat to align the indicators with GCM Obj. 15 and PD 51, and to make sure "
    "that the voices of migrants themselves are heard in every working group.",
    "Ongoing Priority 3 on alternatives to immigration detention remains central for our members, who run "
    "community-based case management programmes in several regions and can share practice and data.",
    "We suggest adding a reference to the role of local authorities, trade unions and employers in fair "
    "recruitment, and to the capacity needs of UN country teams when reporting on progress.",
    "نرحب بخطة العمل ونقترح إدراج مؤشرات محددة لقياس التقدم المحرز في تنفيذ الاتفاق العالمي.",
    "我们欢迎工作计划草案，并建议加强关于移民社会经济融合的新优先事项。",
]


def _body(rng: random.Random) -> str:
    parts = [f"<p>{p}</p>" for p in rng.sample(PARAGRAPHS, rng.randint(2, 4))]
    items = "".join(f"<li>{rng.choice(PARAGRAPHS)[:140]}</li>" for _ in range(rng.randint(2, 5)))
    parts.insert(1, f"<ol>{items}</ol>" if rng.random() < 0.5 else f"<ul>{items}</ul>")
    if rng.random() < 0.1:
        parts.append("<p>=SUM(A1:A9) full comments attached</p>")
    return "".join(parts)


def build(count: int) -> int:
    from django.core.management import call_command
    from django.db import transaction

    from discussions.models import Attachment, Comment, Discussion, Disposition, Question
    from hub.models import StakeholderGroup
    from hub.text import clean_html, html_to_text
    from workplan.models import Priority, WorkingGroup, Workplan

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(6)
    workplan = Workplan.objects.create(title="Network Workplan 2022-2024", slug="bench", period_start=2022,
                                       period_end=2024)
    priorities = [Priority.objects.create(workplan=workplan, kind=kind, number=n, title=f"Bench priority {kind} {n}")
                  for kind, top in (("new", 5), ("ongoing", 10)) for n in range(1, top + 1)]
    group = WorkingGroup.objects.create(workplan=workplan, name="Working group on detention", slug="detention")
    discussion = Discussion.objects.create(slug="bench", title="Draft Network Workplan 2022-2024", workplan=workplan,
                                           status=Discussion.Status.OPEN)
    questions = [Question.objects.create(discussion=discussion, order=i, text=f"Question {i}: what should change?")
                 for i in range(1, 4)]
    bodies = []
    for _ in range(40):
        html = clean_html(_body(rng))
        bodies.append((html, html_to_text(html)))
    authors = [(f"Author {i} with a long full name", f"Organisation {i % 120}",
                StakeholderGroup.values[i % len(StakeholderGroup.values)]) for i in range(300)]
    groups = StakeholderGroup.values
    import datetime

    start = datetime.datetime(2024, 9, 1, tzinfo=datetime.timezone.utc)
    through = Comment.priorities.through
    wg_through = Comment.working_groups.through
    batch = 5000
    with transaction.atomic():
        for offset in range(0, count, batch):
            comments, links, wg_links = [], [], []
            for i in range(offset, min(offset + batch, count)):
                pk = i + 1
                name, org, sg = authors[i % len(authors)]
                html, text = bodies[i % len(bodies)]
                parent = rng.randint(max(1, pk - 50), pk - 1) if pk > 1 and i % 3 == 2 else None
                comments.append(Comment(
                    id=pk, discussion=discussion, question=questions[i % 3] if i % 10 else None, parent_id=parent,
                    depth=1 if parent else 0, author_name=name, author_organisation=org,
                    author_stakeholder_group=sg or groups[0], author_country="Kenya",
                    author_badge="UN Network" if i % 4 == 0 else "", show_personal_name=i % 7 != 0, body=html,
                    body_text=text, status="published" if i % 10 else "pending",
                    created_at=start + datetime.timedelta(minutes=i), highlighted=i % 50 == 0,
                    edit_count=i % 3))
                for p in rng.sample(priorities, rng.randint(1, 2)):
                    links.append(through(comment_id=pk, priority_id=p.pk))
                if i % 5 == 0:
                    wg_links.append(wg_through(comment_id=pk, workinggroup_id=group.pk))
            Comment.objects.bulk_create(comments)
            through.objects.bulk_create(links)
            wg_through.objects.bulk_create(wg_links)
        Attachment.objects.bulk_create([
            Attachment(comment_id=pk, file=f"attachments/bench/{pk}", original_name="position paper.pdf",
                       content_type="application/pdf", size=1000, sha256="0" * 64)
            for pk in range(1, count + 1, 100)])
        Disposition.objects.bulk_create([
            Disposition(comment_id=pk, outcome="taken_up", rationale="Reflected in the final workplan.")
            for pk in range(2, count + 1, 20)])
    return discussion.pk


def measure(fmt: str, discussion_id: int, out_dir: Path) -> dict:
    """Run one export here (a fresh process) and report its time and this process's peak RSS."""
    from discussions.secretariat import export
    from discussions.secretariat.selectors import ExportFilters

    filters = ExportFilters(discussion_ids=(discussion_id,), status="all")
    options = export.ExportOptions(base_url="https://hub.example.org")
    target = out_dir / f"feedback-{fmt}.{fmt.split('-')[0]}"
    started = time.perf_counter()
    cpu_started = time.process_time()
    if fmt == "csv":
        with target.open("w", encoding="utf-8", newline="") as out:
            export.write_csv(out, filters, options)
    elif fmt == "xlsx":
        with target.open("wb") as out:
            export.write_xlsx(out, filters, options)
    else:
        sys.path.insert(0, str(ROOT / "bench"))
        from excel_openpyxl import OpenpyxlBook

        with target.open("wb") as out:
            book = OpenpyxlBook(out)
            export.write_workbook(book, filters, options)
            book.close()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    from discussions.secretariat.selectors import comments_for_export

    rows = comments_for_export(filters).count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return {"format": fmt, "rows": rows, "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
            "rows_per_second": round(rows / seconds),
            "peak_rss_mb": round(peak_mb, 1), "file_mb": round(target.stat().st_size / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, nargs="+", default=[100_000])
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--measure", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--discussion", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        workdir = Path(args.workdir)
        _django(workdir / "bench.sqlite3", workdir / "media")
        print(json.dumps(measure(args.measure, args.discussion, workdir)))
        return
    verdicts = []
    for count in args.comments:
        verdicts += run(count, args.formats)
    print("Targets: " + "; ".join(verdicts))


def run(count: int, formats: list[str]) -> list[str]:
    """Build a database of `count` comments, export it in each format, each in its own process."""
    with tempfile.TemporaryDirectory(prefix="hub-bench-export-") as tmp:
        workdir = Path(tmp)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
               "HUB_MEDIA_ROOT": str(workdir / "media")}
        started = time.perf_counter()
        # Built in a process of its own too, so every size starts from a fresh Django.
        built = subprocess.run([sys.executable, "-c", BUILD, str(count)], capture_output=True, text=True,
                               check=True, cwd=ROOT, env=env)
        discussion_id = int(built.stdout.strip().splitlines()[-1])
        print(f"Built {count:,} comments in {time.perf_counter() - started:.1f} s (SQLite, {workdir})")
        verdicts = []
        for fmt in formats:
            proc = subprocess.run(
                [sys.executable, __file__, "--measure", fmt, "--workdir", str(workdir),
                 "--discussion", str(discussion_id)],
                capture_output=True, text=True, check=True, cwd=ROOT)
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{fmt.upper():13} {result['rows']:,} rows in {result['seconds']} s (CPU {result['cpu_seconds']} s) = "
                  f"{result['rows_per_second']:,} rows/s; peak RSS {result['peak_rss_mb']} MB; "
                  f"file {result['file_mb']} MB", flush=True)
            if fmt == "csv":
                ok = result["seconds"] < CSV_SECONDS and result["peak_rss_mb"] < CSV_MB
                verdicts.append(f"CSV {count:,} < {CSV_SECONDS} s and < {CSV_MB} MB: {'met' if ok else 'MISSED'}")
            elif fmt == "xlsx" and count in XLSX_SECONDS:
                ok = result["seconds"] < XLSX_SECONDS[count] and result["peak_rss_mb"] < XLSX_MB
                verdicts.append(f"Excel {count:,} < {XLSX_SECONDS[count]} s and < {XLSX_MB} MB: "
                                f"{'met' if ok else 'MISSED'}")
        return verdicts


BUILD = """
import sys
sys.argv[0] = "bench/export.py"
sys.path.insert(0, "bench")
import export as bench
bench._django_from_env()
print(bench.build(int(sys.argv[1])))
"""


def _django_from_env() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


if __name__ == "__main__":
    main()
