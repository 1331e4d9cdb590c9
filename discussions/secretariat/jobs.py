"""The export page's downloads as background jobs (hub.jobs): the page starts one, the worker writes the file, the
job page shows the progress and then the download.

`export_params` is what the page stores on the job (the filters as the page's own query string, so the worker
reads them through the same form, and the format); `run_export` is the runner; `register` (called from
DiscussionsConfig.ready) offers the kind to hub.jobs, which never imports discussions.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discussions.models import Attachment, Discussion
from discussions.permissions import check_export_feedback
from discussions.secretariat import export
from discussions.secretariat.forms import ExportFilterForm
from discussions.secretariat.selectors import comments_for_export
from hub.jobs import registry
from hub.jobs.models import Job
from hub.jobs.selectors import recent_jobs_for_owner

KIND = "discussions.feedback_export"


@dataclass(frozen=True)
class ExportFormat:
    stem: str  # the file's name before its date; the bundle is named after its discussion instead
    extension: str
    content_type: str
    label: str


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("feedback", "csv", "text/csv; charset=utf-8", gettext_lazy("CSV (UTF-8)")),
    # Named apart from the plain CSV, so that both can sit in one downloads folder and be told apart.
    "csv-bom": ExportFormat("feedback-for-excel", "csv", "text/csv; charset=utf-8",
                            gettext_lazy("CSV for Excel (UTF-8 with BOM)")),
    "xlsx": ExportFormat("feedback", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         gettext_lazy("Excel workbook (.xlsx)")),
    "attachments": ExportFormat("attachments", "zip", "application/zip", gettext_lazy("Attachments (.zip)")),
    "bundle": ExportFormat("", "zip", "application/zip", gettext_lazy("JSON bundle with attachments (.zip)")),
}


def check_export_job(user, params: dict) -> None:
    """An export job is the secretariat's, like the export page: the export_feedback permission."""
    check_export_feedback(user)


def export_params(*, form: ExportFilterForm, fmt: str, base_url: str, include_personal_names: bool,
                  language: str) -> dict:
    """What a job needs to write the export later, as JSON: the filters as the page's query string, the format,
    how permalinks start, whether personal names are filled in and the language of the sheet names."""
    return {"query": form.query_string(), "format": fmt, "base_url": base_url,
            "include_personal_names": include_personal_names, "language": language}


def recent_exports(user) -> list[Job]:
    """The person's latest export jobs, for the export page (one query)."""
    return recent_jobs_for_owner(user, kinds=[KIND])


def run_export(job: Job, progress) -> registry.JobResult:
    """The runner: read the filters through the page's form, write the file, count what went in."""
    params = job.params
    with translation.override(params.get("language") or settings.LANGUAGE_CODE):
        return _run(params, progress)


def _run(params: dict, progress) -> registry.JobResult:
    fmt = FORMATS.get(params.get("format", ""))
    if fmt is None:
        raise registry.JobError(_("This export format does not exist."))
    form = ExportFilterForm(QueryDict(params.get("query", "")))
    if not form.is_valid():
        # Something the filters named (a discussion, a priority) was deleted since the job was started.
        raise registry.JobError(_("The filters no longer match what is on the site. Start the export again."))
    filters = form.to_filters()
    options = export.ExportOptions(base_url=params.get("base_url", ""),
                                   include_personal_names=bool(params.get("include_personal_names")))
    comments = comments_for_export(filters).count()
    key = params["format"]
    stem = fmt.stem
    path = registry.scratch_path(suffix="." + fmt.extension)
    report = {_("Format"): str(fmt.label), _("Comments"): comments}
    if key in ("csv", "csv-bom"):
        progress(0, comments)
        with path.open("w", encoding="utf-8", newline="") as out:
            export.write_csv(out, filters, options, bom=key == "csv-bom", progress=lambda done: progress(done, comments))
    elif key == "xlsx":
        progress(0, comments)
        with path.open("wb") as out:
            export.write_xlsx(out, filters, options, progress=lambda done: progress(done, comments))
    elif key == "attachments":
        files = Attachment.objects.filter(comment__in=comments_for_export(filters).values("pk")).count()
        progress(0, files)
        with path.open("wb") as out:
            written = export.write_attachments_zip(out, filters, options, progress=lambda done: progress(done, files))
        report[_("Files")] = written
        if written < files:
            report[_("Files missing from storage (listed in attachments.csv without a file)")] = files - written
    else:
        if len(filters.discussion_ids) != 1:
            raise registry.JobError(_("Choose exactly one discussion for the JSON bundle."))
        discussion = Discussion.objects.select_related("workplan").get(pk=filters.discussion_ids[0])
        stem = discussion.slug
        with path.open("wb") as out:
            export.write_consultation_bundle(out, discussion, filters, progress=progress)
    filename = f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{fmt.extension}"
    return registry.JobResult(Path(path), filename, fmt.content_type, report)


def back_to_export_page(job: Job) -> tuple[str, str]:
    """The export page with the job's filters, to export the same selection in another format."""
    query = job.params.get("query", "")
    return (reverse("discussions:secretariat-export") + (f"?{query}" if query else ""),
            _("Back to the export page (same filters)"))


def register() -> None:
    registry.register(KIND, runner=run_export, permission_check=check_export_job,
                      label=gettext_lazy("Feedback export"), back_link=back_to_export_page)
