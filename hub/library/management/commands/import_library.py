"""Import existing resources from a CSV file: `python manage.py import_library resources.csv`."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hub.library.imports import OPTIONAL, REQUIRED, ImportFailed, check_rows, import_resources, read_rows


class Command(BaseCommand):
    help = ("Import resources into the library from a UTF-8 CSV file with a header row. Required columns: "
            f"{', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)} (see hub/library/imports.py). Every row is "
            "checked first: if any row has a problem, nothing is imported and each problem is listed by row.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")
        parser.add_argument("--workplan", help="slug of the workplan whose priority codes (OP3, NP5) the file uses; "
                                               "the latest workplan by default")
        parser.add_argument("--as-submitted", action="store_true",
                            help="put the resources in the review queue instead of publishing them")
        parser.add_argument("--actor", help="e-mail of the secretariat member the audit log names (default: system)")
        parser.add_argument("--check", action="store_true", help="only check the file; import nothing")

    def handle(self, *args, path: str, workplan: str | None, as_submitted: bool, actor: str | None, check: bool,
               **options):
        user = None
        if actor:
            user = get_user_model().objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"No account with the e-mail {actor!r}.")
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                if check:
                    checked = check_rows(read_rows(handle), workplan_slug=workplan)
                    self.stdout.write(self.style.SUCCESS(f"{path} is valid: {len(checked)} resources to import."))
                    return
                report = import_resources(handle, actor=user, workplan_slug=workplan, as_submitted=as_submitted)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        except ImportFailed as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(f"Nothing imported: {len(exc.errors)} problem(s) in {path}:\n{lines}") from None
        state = "waiting for reviewers" if as_submitted else "published"
        self.stdout.write(self.style.SUCCESS(f"Imported {len(report.resources)} resources ({state}) from {path}:"))
        for line in report.lines():
            self.stdout.write(f"  {line}")
