"""Import a consultation bundle: `python manage.py import_consultation PATH` (a .zip or a folder).

    --check              say what the import would do (what it creates, what existing discussion, workplan and
                         accounts it touches), write nothing
    --update-existing    allow updating a discussion that already exists here (otherwise refused)
    --grant-moderators   make the existing accounts the file names as moderators moderators of the discussion
                         (otherwise listed as not granted)
    --strict             refuse a comment whose HTML cleans to nothing visible, rather than keeping it with a note
"""
from django.core.management.base import BaseCommand, CommandError

from discussions.interchange import InterchangeError, check_consultation_bundle, import_consultation_bundle


class Command(BaseCommand):
    help = ("Create or update a workplan, discussion, questions and comments from a consultation bundle (a .zip, or a "
            "folder with consultation.json and the attachments). Nothing is written if the bundle has any problem.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .zip bundle, or a folder holding consultation.json")
        parser.add_argument("--check", action="store_true",
                            help="only validate the bundle and report what the import would do; write nothing")
        parser.add_argument("--update-existing", action="store_true",
                            help="allow updating a discussion with the same slug that already exists on this site")
        parser.add_argument("--grant-moderators", action="store_true",
                            help="make existing accounts whose e-mail the file names as a moderator moderators of the "
                                 "discussion (without it, they are listed and not granted)")
        parser.add_argument("--strict", action="store_true",
                            help="refuse the bundle if a comment's HTML cleans to nothing visible (by default such a "
                                 "comment is kept with a note that its content could not be shown)")

    def handle(self, *args, path: str, check: bool, update_existing: bool = False, grant_moderators: bool = False,
               strict: bool = False, **options):
        flags = {"update_existing": update_existing, "grant_moderators": grant_moderators, "strict": strict}
        try:
            if check:
                plan = check_consultation_bundle(path, **flags)
                data = plan.data
                self.stdout.write(f"{path} is valid: discussion {data['discussion']['slug']!r}, "
                                  f"{len(data['questions'])} questions, {len(data['comments'])} comments.")
                self.stdout.write("Importing it would do this:")
                for line in plan.lines():
                    self.stdout.write(f"  {line}")
                if plan.refusal:
                    raise CommandError(f"The import would be refused: {plan.refusal}")
                return
            report = import_consultation_bundle(path, **flags)
        except InterchangeError as exc:
            raise CommandError(f"Nothing imported. {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported discussion {report.discussion.slug!r} from {path}:"))
        for line in report.lines():
            self.stdout.write(f"  {line}")
