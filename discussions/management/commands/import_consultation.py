"""Import a consultation bundle: `python manage.py import_consultation PATH` (a .zip or a folder)."""
from django.core.management.base import BaseCommand, CommandError

from discussions.interchange import InterchangeError, check_consultation_bundle, import_consultation_bundle


class Command(BaseCommand):
    help = ("Create or update a workplan, discussion, questions and comments from a consultation bundle (a .zip, or a "
            "folder with consultation.json and the attachments). Nothing is written if the bundle has any problem.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .zip bundle, or a folder holding consultation.json")
        parser.add_argument("--check", action="store_true", help="only validate the bundle; write nothing")

    def handle(self, *args, path: str, check: bool, **options):
        try:
            if check:
                data = check_consultation_bundle(path)
                self.stdout.write(f"{path} is valid: discussion {data['discussion']['slug']!r}, "
                                  f"{len(data['questions'])} questions, {len(data['comments'])} comments.")
                return
            report = import_consultation_bundle(path)
        except InterchangeError as exc:
            raise CommandError(f"Nothing imported. {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported discussion {report.discussion.slug!r} from {path}:"))
        for line in report.lines():
            self.stdout.write(f"  {line}")
