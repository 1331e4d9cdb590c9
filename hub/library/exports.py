"""The library as CSV or Excel. Every text cell goes through `hub.spreadsheets` (`neutralise_csv` for CSV, which
also guards a formula after a separator; `neutralise` for Excel, whose text cells are moreover stored as text), so
a spreadsheet never runs a title or a summary as a formula. The columns the import reads come first, with the same names, so an
export can be imported elsewhere."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

from django.utils import timezone

from hub.library.models import Region, Resource, ResourceType, Scope
from hub.spreadsheets import neutralise, neutralise_csv
from hub.text import html_to_text

# (header, width in Excel). The first twelve are the import's columns.
COLUMNS: list[tuple[str, int]] = [
    ("title", 40), ("summary", 60), ("type", 16), ("url", 40), ("languages", 12), ("scope", 10), ("region", 14),
    ("country", 16), ("year", 8), ("publisher", 30), ("gcm_objectives", 14), ("priorities", 24), ("licence", 24),
    ("reviewed", 12), ("id", 8), ("status", 12), ("type_label", 18), ("where", 20), ("file", 40), ("page", 40),
    ("submitted_by", 24), ("submitter_organisation", 30),
]
HEADERS = [name for name, _width in COLUMNS]
EXCEL_MAX_CELL = 32_767


def _date(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


class RowBuilder:
    """Cells of one resource, in the order of COLUMNS (relations must be prefetched). Labels and URL patterns are
    looked up once per export, not once per row."""

    def __init__(self, *, site_url: str) -> None:
        from django.urls import reverse

        marker = 987654321
        self.page = site_url + reverse("library:resource-detail", kwargs={"pk": marker}).replace(str(marker), "{}")
        self.file = site_url + reverse("library:resource-file", kwargs={"pk": marker}).replace(str(marker), "{}")
        self.types = {value: str(label) for value, label in ResourceType.choices}
        self.scopes = {value: str(label) for value, label in Scope.choices}
        self.regions = {value: str(label) for value, label in Region.choices}

    def where(self, resource: Resource) -> str:
        if resource.scope == Scope.REGIONAL:
            return self.regions.get(resource.region, resource.region)
        if resource.scope == Scope.NATIONAL:
            return resource.country
        return self.scopes.get(resource.scope, resource.scope)

    def __call__(self, resource: Resource) -> list[Any]:
        return [
            resource.title, html_to_text(resource.summary), resource.type, resource.url,
            ";".join(lang.code for lang in resource.languages.all()), resource.scope, resource.region,
            resource.country, resource.year if resource.year is not None else "", resource.publisher,
            ";".join(str(o.number) for o in resource.gcm_objectives.all()),
            ";".join(f"{p.workplan.slug}/{p.code}" for p in resource.priorities.all()), resource.licence,
            _date(resource.published_at), resource.pk, resource.status, self.types.get(resource.type, resource.type),
            self.where(resource), self.file.format(resource.pk) if resource.file else "",
            self.page.format(resource.pk), resource.submitter_name,
            resource.submitter_organisation.name if resource.submitter_organisation else "",
        ]


def _text(value: Any) -> Any:
    return neutralise_csv(value) if isinstance(value, str) else value


def write_csv(out: IO[str], resources: Iterable[Resource], *, site_url: str, bom: bool = True) -> int:
    """Write the CSV (UTF-8; with the byte-order mark Excel needs to read it as such); returns the row count."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    row = RowBuilder(site_url=site_url)
    count = 0
    for resource in resources:
        writer.writerow([_text(value) for value in row(resource)])
        count += 1
    return count


def _excel_text(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > EXCEL_MAX_CELL:
        value = value[: EXCEL_MAX_CELL - 4] + " […]"
    return neutralise(value)


def write_xlsx(out: IO[bytes], resources: Iterable[Resource], *, site_url: str) -> int:
    """Write the Excel workbook (one sheet, bold frozen header); returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Library")
    sheet.freeze_panes = "A2"
    for index, (_name, width) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    from openpyxl.cell.cell import ERROR_CODES

    row = RowBuilder(site_url=site_url)
    count = 0
    for resource in resources:
        cells = []
        for value in row(resource):
            value = _excel_text(value)
            if isinstance(value, str) and (value[:1] == "=" or value in ERROR_CODES):
                # openpyxl would store these as a formula or an error value: set the type by hand (a second guard
                # behind neutralise, which already prefixes a formula).
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
            cells.append(value)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def csv_bytes(resources: Iterable[Resource], *, site_url: str) -> bytes:
    buffer = io.StringIO(newline="")
    write_csv(buffer, resources, site_url=site_url)
    return buffer.getvalue().encode("utf-8")
