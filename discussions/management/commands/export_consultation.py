"""Export a consultation bundle: `python manage.py export_consultation SLUG -o PATH.zip [--include-emails]`.

Every comment of the discussion, whatever its status. E-mail addresses (of authors, question posters and
moderators) are written only with --include-emails: this command is the one way they leave the site.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from discussions.interchange import InterchangeError, export_consultation_bundle
from discussions.models import Discussion
from hub.progress import TerminalProgress


class Command(BaseCommand):
    help = "Write a discussion with its workplan, questions, every comment and the attachments as a .zip bundle."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the discussion's slug")
        parser.add_argument("-o", "--output", required=True, help="the .zip file to write")
        parser.add_argument("--include-emails", action="store_true",
                            help="also write the e-mail addresses of authors, question posters and moderators "
                                 "(personal data: only for a transfer that needs them, e.g. to link comments to "
                                 "accounts on another site); without it the bundle holds none")

    def handle(self, *args, slug: str, output: str, include_emails: bool = False, **options):
        discussion = Discussion.objects.select_related("workplan").filter(slug=slug).first()
        if discussion is None:
            raise CommandError(f"No discussion with the slug {slug!r}.")
        target = Path(output)
        partial = target.with_name(target.name + ".partial")
        try:
            # Written beside the target and renamed, so a failed export never leaves a truncated bundle behind.
            bar = TerminalProgress(self.stdout, "Attachments")  # on a terminal only
            data = export_consultation_bundle(discussion, partial, include_emails=include_emails, progress=bar)
            bar.finish()
            partial.replace(target)
        except InterchangeError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Nothing exported. {exc}") from None
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Could not write {target}: {exc}") from None
        attachments = sum(len(c["attachments"]) for c in data["comments"])
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {target}: {len(data['questions'])} questions, {len(data['comments'])} comments, "
            f"{attachments} attachments; "
            f"{'with' if include_emails else 'without'} e-mail addresses."))
