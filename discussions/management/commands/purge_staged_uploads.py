"""Delete files staged for a comment (kept between a preview and the post) that have waited too long.
Celery beat runs it hourly with the default age (discussions.tasks.purge_staged_uploads); the command is for a
one-off run with another age: `python manage.py purge_staged_uploads --older-than 24h`."""
from __future__ import annotations

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from discussions.uploads import purge_stale_staged

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_age(text: str) -> timedelta:
    """'24h', '90m', '2d' (a bare number counts hours) -> a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhd]?)\s*", text or "", re.IGNORECASE)
    if not match:
        raise ValueError(text)
    return timedelta(**{_UNITS[(match.group(2) or "h").lower()]: int(match.group(1))})


class Command(BaseCommand):
    help = ("Delete staged comment attachments older than --older-than (abandoned previews and forms, sessions that "
            "ended). Prints each file removed.")

    def add_arguments(self, parser):
        parser.add_argument("--older-than", default="24h", metavar="AGE",
                            help="Age beyond which a staged file is removed: minutes, hours or days, e.g. 90m, 24h, "
                                 "2d (default 24h; a bare number counts hours).")

    def handle(self, *args, **options):
        try:
            age = parse_age(options["older_than"])
        except ValueError:
            raise CommandError(f"--older-than {options['older_than']!r}: give a number of minutes, hours or days, "
                               f"e.g. 90m, 24h or 2d.") from None
        removed = purge_stale_staged(age)
        for path in removed:
            self.stdout.write(f"removed {path}")
        self.stdout.write(f"{len(removed)} staged file(s) older than {options['older_than'].strip()} removed.")
