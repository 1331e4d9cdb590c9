"""Export feedback from the command line, for large or scheduled runs.

    python manage.py export_feedback --discussion SLUG [--status all] --format csv|xlsx|json|attachments -o PATH

The same selection and the same columns as the secretariat's export page (discussions/export.py). The JSON bundle
holds the selected comments of one discussion and no e-mail address (export_consultation --include-emails adds them).
"""
from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from discussions.secretariat import export
from discussions.secretariat.selectors import STATUS_ALL, ExportFilters, comments_for_export
from discussions.models import Comment, Discussion
from hub.models import StakeholderGroup
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
        slugs = options["discussion"]
        discussions = list(Discussion.objects.filter(slug__in=slugs)) if slugs else []
        missing = set(slugs) - {d.slug for d in discussions}
        if missing:
            raise CommandError(f"No discussion with the slug {', '.join(sorted(missing))!r}.")
        priority_id = None
        if options["priority"]:
            priority_id = self._priority(options["priority"], discussions)
        described = [f"Discussions: {', '.join(d.title for d in discussions) or 'all'}",
                     f"Status: {options['status']}"]
        filters = ExportFilters(
            discussion_ids=tuple(sorted(d.pk for d in discussions)), priority_id=priority_id,
            stakeholder_group=options["stakeholder_group"] or "", status=options["status"],
            date_from=options["since"], date_to=options["until"], described=tuple(described),
        )
        export_options = export.ExportOptions(base_url=options["base_url"].rstrip("/"),
                                              include_personal_names=not options["no_personal_names"])
        target = Path(options["output"])
        # Written beside the target and renamed, so an interrupted run never leaves a half-written file.
        partial = target.with_name(target.name + ".partial")
        fmt = options["format"]
        try:
            if fmt == "csv":
                with partial.open("w", encoding="utf-8", newline="") as out:
                    export.write_csv(out, filters, export_options, bom=options["bom"])
            elif fmt == "xlsx":
                with partial.open("wb") as out:
                    export.write_xlsx(out, filters, export_options)
            elif fmt == "attachments":
                with partial.open("wb") as out:
                    export.write_attachments_zip(out, filters, export_options)
            else:
                if len(discussions) != 1:
                    raise CommandError("The JSON bundle holds exactly one discussion: give one --discussion.")
                export.write_consultation_bundle(partial, discussions[0], filters)
            partial.replace(target)
        except export.BundleExportUnavailable as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Could not write {target}: {exc}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        count = comments_for_export(filters).count()
        self.stdout.write(self.style.SUCCESS(f"Wrote {target} ({fmt}, {count} comments)."))

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
