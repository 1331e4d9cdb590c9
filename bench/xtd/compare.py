"""For comparison only: the same kind of thread rendered by django-comments-xtd 2.10.13 with its stock templates.

django-comments-xtd is not a dependency of Hub and must never enter requirements*.txt. Run this in a throwaway
virtual environment:

    python3 -m venv /tmp/xtd-venv
    /tmp/xtd-venv/bin/pip install "django-comments-xtd==2.10.13"
    /tmp/xtd-venv/bin/python bench/xtd/compare.py [--comments 1000] [--runs 20]

It configures a minimal Django project in memory (a throwaway SQLite file in a temporary folder), builds a thread
with the generator of bench/thread.py (same seed, same shape: three "questions" become three top-level threads'
worth of answers, replies down to depth 4, 1-3 KB bodies turned into plain text since xtd comments are text, 200
authors with accounts), and renders a page holding `{% render_xtdcomment_tree for object %}` with the test client,
printing the query count and the median, min and max time, as bench/thread.py does for Hub's discussion page.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from html import unescape
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/, for the text generator of thread.py (plain Python, no Hub import)

from thread import body_html  # noqa: E402

PAGE = """{% load comments_xtd %}<!doctype html><html><head><title>{{ object }}</title></head><body>
<h1>{{ object.name }}</h1>{% render_xtdcomment_tree for object %}</body></html>"""


def html_to_plain(value: str) -> str:
    text = re.sub(r"</(p|li|blockquote|ol|ul)>", "\n", value)
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()


def configure(tmp: Path) -> None:
    from django.conf import settings

    settings.configure(
        DEBUG=False, SECRET_KEY="bench-only", ALLOWED_HOSTS=["testserver"], ROOT_URLCONF=__name__, SITE_ID=1,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp / "xtd.db")}},
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                        "django.contrib.sites", "django_comments_xtd", "django_comments"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                       "django.contrib.auth.context_processors.auth"]}}],
        COMMENTS_APP="django_comments_xtd", COMMENTS_XTD_MAX_THREAD_LEVEL=4, COMMENTS_XTD_CONFIRM_EMAIL=False,
        COMMENT_MAX_LENGTH=10000, USE_TZ=True, DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )


def page(request):
    from django.contrib.sites.models import Site
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"object": Site.objects.get(pk=1)}, request))


def build(comments: int, seed: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site
    from django.db import transaction
    from django.utils import timezone
    from django_comments_xtd.models import XtdComment

    rng = random.Random(seed)
    site = Site.objects.get(pk=1)
    site_type = ContentType.objects.get_for_model(Site)
    start = timezone.now() - timedelta(days=40)
    with transaction.atomic():
        users = [get_user_model().objects.create_user(username=f"author{i}", email=f"author{i}@example.org",
                                                      first_name="Author", last_name=str(i))
                 for i in range(1, 201)]
        made: list[XtdComment] = []
        for i in range(comments):
            user = rng.choice(users)
            parent = None
            if made and rng.random() > 0.4:
                candidates = [c for c in made[-60:] if c.level < 4]
                parent = rng.choice(candidates) if candidates else None
            # XtdComment.save() computes thread, level and order from parent_id, so comments are saved one by one.
            comment = XtdComment(content_type=site_type, object_pk=str(site.pk), site=site, user=user,
                                 user_name=user.get_full_name(), user_email=user.email,
                                 comment=html_to_plain(body_html(rng)), submit_date=start + timedelta(minutes=30 * i),
                                 is_public=True, parent_id=parent.pk if parent else 0)
            comment.save()
            made.append(comment)


def main() -> int:
    parser = argparse.ArgumentParser(description="django-comments-xtd 2.10.13 thread render, for comparison")
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xtd-bench-"))
    try:
        configure(tmp)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        import django_comments_xtd
        from django.urls import include, path

        # This module is the URLconf; its patterns can only be made once Django is set up.
        globals()["urlpatterns"] = [path("", page), path("comments/", include("django_comments_xtd.urls"))]
        call_command("migrate", verbosity=0, interactive=False)
        build(args.comments, args.seed)
        client = Client()
        timings, queries = [], []
        for _ in range(args.runs + 1):
            # Counted by a wrapper rather than CaptureQueriesContext, whose log keeps only the last 9,000 queries.
            count = [0]

            def counter(execute, sql, params, many, context, count=count):
                count[0] += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                response = client.get("/")
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            queries.append(count[0])
        warm = timings[1:]
        print(f"django-comments-xtd {django_comments_xtd.get_version()}, stock comment_tree.html, Django "
              f"{django.get_version()}, SQLite, DEBUG off: {args.comments} comments, {args.runs} runs")
        print(f"queries {queries[0]} (cold) {sorted(set(queries[1:]))} (warm); cold {timings[0] * 1000:.0f} ms; "
              f"median {statistics.median(warm) * 1000:.1f} ms, min {min(warm) * 1000:.1f} ms, "
              f"max {max(warm) * 1000:.1f} ms; page {len(response.content) / 1024:.0f} KB")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
