"""The Excel workbook written with openpyxl's write-only mode, for bench/export.py to compare with XlsxWriter on
the same rows (`export.write_workbook` fills either). This is the writer the site used until XlsxWriter replaced
it (see the README's dependency table for the figures); it is kept here only as the benchmark's yardstick.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from discussions.secretariat.export import EXCEL_MAX_CELL, Column, sheet_title

# Text that openpyxl would store as an error value rather than as text (openpyxl.cell.cell.ERROR_CODES).
_EXCEL_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))

def _excel_text(value: str) -> str:
    """Excel refuses control characters and cells over 32,767 characters; strip and shorten, saying so."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > EXCEL_MAX_CELL:
        marker = " […]"
        value = value[: EXCEL_MAX_CELL - len(marker)] + marker
    return value


def _text_cell(ws):
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell(ws)


class _Sheet:
    """A write-only worksheet with a bold frozen header, column widths and wrapped long-text columns."""

    def __init__(self, workbook, title: str, columns: Iterable[Column], styles: dict) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        self.ws = workbook.create_sheet(title=title)
        self.columns = tuple(columns)
        self.ws.freeze_panes = "A2"
        for index, column in enumerate(self.columns, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        header = []
        for column in self.columns:
            cell = WriteOnlyCell(self.ws, value=column.header)
            cell.font = styles["bold"]
            cell.fill = styles["fill"]
            cell.alignment = styles["header"]
            header.append(cell)
        self.ws.append(header)
        # One styled cell per wrapped column, reused for every row: a write-only sheet writes a row out as soon as
        # it is appended, and registering a style per cell was a third of the time of a large export.
        self.wrapped: list = []
        for column in self.columns:
            if column.wrap:
                cell = WriteOnlyCell(self.ws)
                cell.alignment = styles["wrap"]
                self.wrapped.append(cell)
            else:
                self.wrapped.append(None)
        # For text openpyxl would not store as text (see append), one plain cell whose type is set by hand.
        self.text_cell = _text_cell(self.ws)
        self.rows = 0

    def append(self, values: list[Any]) -> None:
        """Append a row. Every text cell is stored as text: openpyxl infers a formula from a leading "=" and an
        error value from "#N/A" and the like, so such text goes in through a cell whose type is set to string (the
        exports neutralise formulas before this, so that is a second, independent guard). Other text goes in
        plain, which openpyxl can only store as a string: wrapping every cell in an object made the export slower
        by half."""
        row = []
        text_cell = None
        for cell, value in zip(self.wrapped, values):
            if value == "" or value is None:
                row.append(None)  # no cell at all, rather than an empty one
                continue
            if value.__class__ is not str:
                if cell is not None:
                    cell.value = value
                    value = cell
                row.append(value)
                continue
            value = _excel_text(value)
            if cell is None and (value[:1] == "=" or value in _EXCEL_ERROR_CODES):
                # The shared cell first; a second one in the same row gets its own (it is rare: see above).
                text_cell = self.text_cell if text_cell is None else _text_cell(self.ws)
                cell = text_cell
            if cell is not None:
                cell.value = value
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                value = cell
            row.append(value)
        self.ws.append(row)
        self.rows += 1


class OpenpyxlBook:
    """A write-only workbook whose sheets share one set of styles and have names unique in it."""

    def __init__(self, out) -> None:
        from openpyxl import Workbook

        self.out = out
        from openpyxl.styles import Alignment, Font, PatternFill

        self.workbook = Workbook(write_only=True)
        self.styles = {
            "bold": Font(bold=True),
            "fill": PatternFill("solid", fgColor="DDE7F3"),
            "header": Alignment(wrap_text=True, vertical="top"),
            "wrap": Alignment(wrap_text=True, vertical="top"),
        }
        self.used: set[str] = set()

    def sheet(self, title: str, columns: Iterable[Column]) -> _Sheet:
        return _Sheet(self.workbook, sheet_title(title, self.used), columns, self.styles)

    def close(self) -> None:
        self.workbook.save(self.out)
