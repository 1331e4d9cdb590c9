"""Benchmark of the library: importing resources from CSV, the library list page, and the CSV and Excel exports.

    .venv/bin/python bench/library.py [--resources 5000]

Builds a throwaway SQLite database in a temporary folder (never the project's database), imports N resources
from a generated CSV (every row checked, one transaction), then times the first and the last page of the library
list (queries per page do not grow) and the two exports. Prints seconds, rows per second and queries.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django(db_path: Path, media: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["HUB_MEDIA_ROOT"] = str(media)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ["HUB_HTTPS"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def csv_text(count: int) -> str:
    import csv

    rng = random.Random(14)
    types = ["policy_brief", "journal_article", "report", "portal", "infographic", "video", "practice", "other"]
    scopes = [("global", "", ""), ("regional", "africa", ""), ("regional", "europe", ""), ("national", "", "Kenya")]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["title", "summary", "type", "publisher", "languages", "scope", "region", "country", "year",
                     "gcm_objectives", "url", "reviewed"])
    for i in range(count):
        scope, region, country = rng.choice(scopes)
        summary = " ".join(rng.choice(["Migration", "governance", "labour", "pathways", "data", "=SUM(A1)", "rights"])
                           for _ in range(rng.randint(30, 120)))
        writer.writerow([f"Resource {i} on labour migration", summary, rng.choice(types), "Publisher",
                         ";".join(rng.sample(["en", "fr", "es", "ar"], rng.randint(1, 3))), scope, region, country,
                         rng.randint(2000, 2025), ";".join(str(n) for n in rng.sample(range(1, 24), 3)),
                         f"https://example.org/r/{i}", f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=5000)
    count = parser.parse_args().resources
    with tempfile.TemporaryDirectory() as folder:
        _django(Path(folder) / "bench.sqlite3", Path(folder) / "media")
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        call_command("migrate", verbosity=0)
        from hub.library import exports
        from hub.library.imports import import_text
        from hub.library.selectors import resources_for_export

        text = csv_text(count)
        start = time.perf_counter()
        report = import_text(text)
        seconds = time.perf_counter() - start
        print(f"import: {len(report.resources)} rows in {seconds:.1f} s ({len(report.resources) / seconds:.0f} rows/s)")

        client = Client()
        last = (count + 19) // 20
        for label, url in [("list, first page", "/library/"), (f"list, page {last}", f"/library/?page={last}"),
                           ("list, filtered", "/library/?region=africa&language=fr&objective=5")]:
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                seconds = time.perf_counter() - start
            print(f"{label}: {response.status_code} in {seconds * 1000:.0f} ms, {len(queries)} queries")

        start = time.perf_counter()
        rows = exports.write_csv(io.StringIO(), resources_for_export("all"), site_url="http://x")
        seconds = time.perf_counter() - start
        print(f"export CSV: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s)")
        start = time.perf_counter()
        buffer = io.BytesIO()
        rows = exports.write_xlsx(buffer, resources_for_export("all"), site_url="http://x")
        seconds = time.perf_counter() - start
        print(f"export Excel: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s), "
              f"{len(buffer.getvalue()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
