"""Export feedback from the command line, for large or scheduled runs.

    python manage.py export_feedback --discussion SLUG [--status all] --format csv|xlsx|json|attachments -o PATH

The same selection and the same columns as the secretariat's export page (discussions/secretariat/export.py). The JSON bundle
holds the selected comments of one discussion and no e-mail address (export_consultation --include-emails adds them).
"""
from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from discussions.secretariat import export
from discussions.secretariat.selectors import STATUS_ALL, ExportFilters, comments_for_export
from discussions.models import Attachment, Comment, Discussion
from hub.models import StakeholderGroup
from hub.progress import TerminalProgress
from workplan.models import Priority

FORMATS = ("csv", "xlsx", "json", "attachments")


class Command(BaseCommand):
    help = "Write the feedback (one row per comment) of one or more discussions as CSV, Excel, a JSON bundle or a zip of attachments."

    def add_arguments(self, parser):
        parser.add_argument("--discussion", action="append", default=[], metavar="SLUG",
                            help="a discussion's slug; repeat for several; none means every discussion")
        parser.add_argument("--status", default=Comment.Status.PUBLISHED,
                            choices=[STATUS_ALL, *Comment.Status.values],
                            help="which comments: published (the default), all, or one other status")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--base-url", default=settings.HUB_SITE_URL,
                            help="scheme and host for permalinks, e.g. https://hub.example.org (default: HUB_SITE_URL)")
        parser.add_argument("--bom", action="store_true", help="CSV only: start with a UTF-8 byte order mark (for Excel)")
        parser.add_argument("--priority", metavar="CODE", help="only comments naming this priority, e.g. NP5")
        parser.add_argument("--stakeholder-group", choices=StakeholderGroup.values)
        parser.add_argument("--since", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument("--until", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                            help="inclusive")
        parser.add_argument("--no-personal-names", action="store_true",
                            help="leave the Personal name column empty (for sharing beyond the secretariat)")

    def handle(self, *args, **options):
        discussions = self._discussions(options["discussion"])
        fmt = options["format"]
        if fmt == "json" and len(discussions) != 1:
            raise CommandError("The JSON bundle holds exactly one discussion: give one --discussion.")
        filters = self._filters(options, discussions)
        export_options = export.ExportOptions(base_url=options["base_url"].rstrip("/"),
                                              include_personal_names=not options["no_personal_names"])
        target = Path(options["output"])
        count = comments_for_export(filters).count()
        # A bar on a terminal only; cron and pipes get the final line alone.
        bar = TerminalProgress(self.stdout, "Files" if fmt in ("attachments", "json") else "Comments", total=count)
        _write_atomically(target, lambda partial: _write(fmt, partial, filters, export_options, discussions,
                                                         bom=options["bom"], progress=bar))
        bar.finish()
        self.stdout.write(self.style.SUCCESS(f"Wrote {target} ({fmt}, {count} comments)."))

    def _discussions(self, slugs: list[str]) -> list[Discussion]:
        discussions = list(Discussion.objects.filter(slug__in=slugs)) if slugs else []
        missing = set(slugs) - {d.slug for d in discussions}
        if missing:
            raise CommandError(f"No discussion with the slug {', '.join(sorted(missing))!r}.")
        return discussions

    def _filters(self, options: dict, discussions: list[Discussion]) -> ExportFilters:
        priority_id = self._priority(options["priority"], discussions) if options["priority"] else None
        described = [f"Discussions: {', '.join(d.title for d in discussions) or 'all'}",
                     f"Status: {options['status']}"]
        return ExportFilters(
            discussion_ids=tuple(sorted(d.pk for d in discussions)), priority_id=priority_id,
            stakeholder_group=options["stakeholder_group"] or "", status=options["status"],
            date_from=options["since"], date_to=options["until"], described=tuple(described),
        )

    def _priority(self, code: str, discussions: list[Discussion]) -> int:
        code = code.strip().upper()
        kinds = {prefix: kind for kind, prefix in Priority.CODE_PREFIX.items()}
        kind, number = kinds.get(code[:2]), code[2:]
        if kind is None or not number.isdigit():
            raise CommandError(f"{code!r} is not a priority code like NP5 or OP3.")
        qs = Priority.objects.filter(kind=kind, number=int(number))
        workplans = {d.workplan_id for d in discussions if d.workplan_id}
        if workplans:
            qs = qs.filter(workplan_id__in=workplans)
        found = list(qs[:2])
        if not found:
            raise CommandError(f"No priority {code}.")
        if len(found) > 1:
            raise CommandError(f"{code} exists in several workplans: name the discussion too.")
        return found[0].pk


def _write(fmt: str, path: Path, filters: ExportFilters, options: export.ExportOptions,
           discussions: list[Discussion], *, bom: bool, progress: TerminalProgress) -> None:
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            export.write_csv(out, filters, options, bom=bom, progress=progress)
    elif fmt == "xlsx":
        with path.open("wb") as out:
            export.write_xlsx(out, filters, options, progress=progress)
    elif fmt == "attachments":
        progress(0, Attachment.objects.filter(comment__in=comments_for_export(filters).values("pk")).count())
        with path.open("wb") as out:
            export.write_attachments_zip(out, filters, options, progress=progress)
    else:
        export.write_consultation_bundle(path, discussions[0], filters, progress=progress)


def _write_atomically(target: Path, write) -> None:
    """Call write(path) on a file beside the target, then rename it: an interrupted run never leaves a
    half-written file."""
    partial = target.with_name(target.name + ".partial")
    try:
        write(partial)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CommandError(f"Could not write {target}: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
