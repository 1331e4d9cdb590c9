"""Import existing resources from a CSV file: every row is checked first, and either all rows are imported in one
transaction or none is, with each problem named by its row.

Columns (a header row, any order; others are ignored, so an export of the library can be imported):
  title, summary, type, publisher, languages, scope            required
  url, region, country, year, gcm_objectives, priorities,       optional
  licence, reviewed (YYYY-MM-DD)
Several values in one cell are separated by ";" (or ","). Types, scopes and regions are given by code
("policy_brief") or English name ("Policy brief"); languages by code ("fr") or name ("French"); objectives by
number; priorities by code ("OP3"), or "workplan-slug/OP3" when several workplans are loaded.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from hub.audit import audit_log
from hub.library.models import Language, Region, Resource, ResourceType, Scope
from hub.library.services import ResourceDetails, apply_details, resource_errors
from workplan.models import GcmObjective, Priority, Workplan

REQUIRED = ("title", "summary", "type", "publisher", "languages", "scope")
OPTIONAL = ("url", "region", "country", "year", "gcm_objectives", "priorities", "licence", "reviewed")
MAX_ROWS = 10_000
BATCH = 500
_SPLIT = re.compile(r"[;,]")


class ImportFailed(Exception):
    """The file cannot be imported; `errors` names every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    resources: list[Resource] = field(default_factory=list)
    status: str = Resource.Status.PUBLISHED

    def lines(self) -> list[str]:
        return [f"#{r.pk} {r.title} ({r.get_type_display()}, {r.where})" for r in self.resources]


def _choice(value: str, choices) -> str | None:
    wanted = value.strip().lower()
    for code, label in choices:
        if wanted in (code.lower(), str(label).lower()):
            return code
    return None


def _parts(value: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(value or "") if part.strip()]


class _Lookups:
    def __init__(self, workplan_slug: str | None) -> None:
        self.languages = {}
        for language in Language.objects.all():
            self.languages[language.code.lower()] = language
            self.languages[language.name.lower()] = language
        self.objectives = {o.number: o for o in GcmObjective.objects.all()}
        self.priorities: dict[str, Priority] = {}
        priorities = list(Priority.objects.filter(active=True).select_related("workplan"))
        for priority in priorities:
            self.priorities[f"{priority.workplan.slug}/{priority.code}".lower()] = priority
        default = None
        if workplan_slug:
            default = Workplan.objects.filter(slug=workplan_slug).first()
            if default is None:
                raise ImportFailed([f"No workplan with the slug {workplan_slug!r}."])
        else:
            default = Workplan.objects.order_by("-period_start", "-pk").first()
        self.default_workplan = default
        for priority in priorities:
            if default is not None and priority.workplan_id == default.pk:
                self.priorities[priority.code.lower()] = priority


def _details(raw: dict[str, str], lookups: _Lookups, problems: list[str]) -> ResourceDetails:
    def text(name: str) -> str:
        return (raw.get(name) or "").strip()

    kind = _choice(text("type"), ResourceType.choices) if text("type") else ""
    if kind is None:
        problems.append(f"type: {text('type')!r} is not a type; use one of {', '.join(ResourceType.values)}")
    scope = _choice(text("scope"), Scope.choices) if text("scope") else ""
    if scope is None:
        problems.append(f"scope: {text('scope')!r} is not global, regional or national")
    region = _choice(text("region"), Region.choices) if text("region") else ""
    if region is None:
        problems.append(f"region: {text('region')!r} is not a region; use one of {', '.join(Region.values)}")
    languages = []
    for part in _parts(text("languages")):
        language = lookups.languages.get(part.lower())
        if language is None:
            problems.append(f"languages: {part!r} is not a known language code or name")
        else:
            languages.append(language)
    objectives = []
    for part in _parts(text("gcm_objectives")):
        objective = lookups.objectives.get(int(part)) if part.isdigit() else None
        if objective is None:
            problems.append(f"gcm_objectives: {part!r} is not an objective number from 1 to 23")
        else:
            objectives.append(objective)
    priorities = []
    for part in _parts(text("priorities")):
        priority = lookups.priorities.get(part.lower())
        if priority is None:
            where = f" in {lookups.default_workplan.slug}" if lookups.default_workplan and "/" not in part else ""
            problems.append(f"priorities: {part!r} is not an active priority{where}")
        else:
            priorities.append(priority)
    year = None
    if text("year"):
        if text("year").isdigit():
            year = int(text("year"))
        else:
            problems.append(f"year: {text('year')!r} is not a year")
    return ResourceDetails(
        title=text("title"), summary=text("summary"), type=kind or "", scope=scope or "", publisher=text("publisher"),
        languages=list(dict.fromkeys(languages)), url=text("url"), region=region or "", country=text("country"),
        year=year, gcm_objectives=list(dict.fromkeys(objectives)), priorities=list(dict.fromkeys(priorities)),
        licence=text("licence"))


def _reviewed(value: str, problems: list[str]):
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        problems.append(f"reviewed: {value!r} is not a date written YYYY-MM-DD")
        return None
    return timezone.make_aware(datetime.combine(day, time(12)))


def read_rows(handle) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts keyed by lower-case header; ImportFailed for a file that is not one."""
    try:
        reader = csv.DictReader(handle)
        headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        missing = [name for name in REQUIRED if name not in headers]
        if missing:
            raise ImportFailed([f"The header row lacks the column(s): {', '.join(missing)}. "
                                f"Required: {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)}."])
        reader.fieldnames = headers
        rows = []
        for raw in reader:
            if len(rows) >= MAX_ROWS:
                raise ImportFailed([f"The file has more than {MAX_ROWS} rows; split it."])
            rows.append({k: v for k, v in raw.items() if k})
        return rows
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ImportFailed([f"This is not a readable UTF-8 CSV file: {exc}"]) from None


def check_rows(rows: list[dict[str, str]], *, workplan_slug: str | None = None) -> list[tuple[ResourceDetails, object]]:
    """Validate every row; ImportFailed naming each problem by row number (the header is row 1)."""
    lookups = _Lookups(workplan_slug)
    errors: list[str] = []
    checked = []
    seen: dict[tuple[str, str], int] = {}
    existing = {(title.lower(), url.lower()): pk for pk, title, url in Resource.objects.values_list("pk", "title", "url")}
    for number, raw in enumerate(rows, start=2):
        if not any((value or "").strip() for value in raw.values() if isinstance(value, str)):
            continue  # a blank line
        problems: list[str] = []
        details = _details(raw, lookups, problems)
        reviewed = _reviewed(raw.get("reviewed", ""), problems)
        for name, messages in resource_errors(details, has_file=False).items():
            if not any(p.startswith(f"{name}:") for p in problems):
                problems.extend(f"{name}: {message}" for message in messages)
        key = (details.title.lower(), details.url.lower())
        if key in existing:
            problems.append(f"already in the library as resource #{existing[key]}")
        elif key in seen:
            problems.append(f"the same title and link as row {seen[key]}")
        seen.setdefault(key, number)
        if problems:
            label = details.title[:60] or "untitled"
            errors.extend(f"Row {number} (“{label}”): {problem}" for problem in problems)
        else:
            checked.append((details, reviewed))
    if errors:
        raise ImportFailed(errors)
    if not checked:
        raise ImportFailed(["The file has no resources to import."])
    return checked


def import_resources(handle, *, actor=None, workplan_slug: str | None = None,
                     as_submitted: bool = False) -> ImportReport:
    """Check and import every row of a CSV file (all or nothing). Rows become published resources (peer reviewed
    before, elsewhere; `reviewed` gives the date) or, with `as_submitted`, submissions waiting for reviewers.
    Written in bulk, with one audit entry naming every resource created."""
    rows = read_rows(handle)
    checked = check_rows(rows, workplan_slug=workplan_slug)
    status = Resource.Status.SUBMITTED if as_submitted else Resource.Status.PUBLISHED
    now = timezone.now()
    resources = []
    for details, reviewed in checked:
        resource = Resource(status=status, imported=True, submitted_at=now, submitter_name="Import")
        apply_details(resource, details)
        if status == Resource.Status.PUBLISHED:
            resource.published_at = reviewed or now
            resource.decided_at = now
        resources.append(resource)
    with transaction.atomic():
        Resource.objects.bulk_create(resources, batch_size=BATCH)
        for relation, values in (("languages", "languages"), ("gcm_objectives", "gcm_objectives"),
                                 ("priorities", "priorities")):
            through = getattr(Resource, relation).through
            target = getattr(Resource, relation).field.m2m_reverse_field_name()
            links = [through(resource_id=resource.pk, **{target: item})
                     for resource, (details, _reviewed) in zip(resources, checked)
                     for item in getattr(details, values)]
            through.objects.bulk_create(links, batch_size=BATCH)
        audit_log(actor=actor, action="library.import",
                  after={"rows": len(resources), "status": status, "ids": [r.pk for r in resources]})
    return ImportReport(resources=resources, status=status)


def import_text(text: str, **kwargs) -> ImportReport:
    return import_resources(io.StringIO(text, newline=""), **kwargs)
