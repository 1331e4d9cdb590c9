"""Feedback exports: one row per comment, the same columns in CSV and Excel, plus a zip of the attachments.

`COLUMNS` is the one place the columns are defined; `RowBuilder.row` fills them. Both writers stream: comments
are read with `.iterator(chunk_size=...)`, and the priorities, working groups and attachments of each chunk are
fetched by one prefetch query per chunk, so memory stays flat however many comments there are. Every text cell
goes through `hub.spreadsheets` (`neutralise`, and in CSV `neutralise_csv`) so that a spreadsheet never runs a
comment as a formula, and the Excel writer types every text cell as a string.
"""
from __future__ import annotations

import csv
import datetime
import io
import itertools
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from discussions.secretariat.selectors import ExportFilters, comments_for_export
from discussions.models import Attachment, Comment, Discussion, Disposition, Question
from hub.models import StakeholderGroup
from hub.spreadsheets import neutralise, neutralise_csv
from workplan.models import InterestExpression, Priority, WorkingGroup

CHUNK_SIZE = 2000
# Rows are gathered into blocks of about this many before a streamed response sends them.
CSV_ROWS_PER_BLOCK = 200
EXCEL_MAX_CELL = 32_767
# Text that openpyxl would store as an error value rather than as text (openpyxl.cell.cell.ERROR_CODES).
_EXCEL_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int  # Excel column width, in characters
    wrap: bool = False


# The order here is the order of the files, and the order documented in the README.
COLUMNS: tuple[Column, ...] = (
    Column("id", "Comment id", 10),
    Column("permalink", "Permalink", 40),
    Column("discussion", "Discussion", 28, True),
    Column("question_number", "Question number", 10),
    Column("question", "Question", 40, True),
    Column("parent_id", "Parent id", 10),
    Column("depth", "Depth", 7),
    Column("in_reply_to", "In reply to", 22),
    Column("author", "Author (as shown)", 24),
    Column("personal_name", "Personal name", 22),
    Column("organisation", "Organisation", 28, True),
    Column("stakeholder_group", "Stakeholder group", 18),
    Column("country", "Country", 14),
    Column("badge", "Badge", 12),
    Column("posted_at", "Posted at", 26),
    Column("status", "Status", 12),
    Column("reason", "Decline or hide reason", 30, True),
    Column("priorities", "Priorities", 40, True),
    Column("working_groups", "Working groups", 28, True),
    Column("body_text", "Comment (plain text)", 80, True),
    Column("body_html", "Comment (HTML)", 40),
    Column("attachments", "Attachments", 40, True),
    Column("highlighted", "Highlighted", 11),
    Column("edit_count", "Edits", 7),
    Column("moderated_by", "Moderated by", 20),
    Column("moderated_at", "Moderated at", 26),
    Column("response", "Response", 16),
    Column("response_rationale", "Response rationale", 40, True),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
# The per-question and per-priority Excel sheets repeat each comment for reading by topic, with these columns
# only (the "All comments" sheet has every column). Repeating all 28 columns made a 100,000-comment workbook
# take four minutes: openpyxl spends its time per cell.
TOPIC_KEYS: tuple[str, ...] = ("id", "permalink", "in_reply_to", "author", "organisation", "stakeholder_group",
                               "posted_at", "priorities", "body_text", "response")
TOPIC_COLUMNS: tuple[Column, ...] = tuple(c for c in COLUMNS if c.key in TOPIC_KEYS)
_TOPIC_INDEXES: tuple[int, ...] = tuple(i for i, c in enumerate(COLUMNS) if c.key in TOPIC_KEYS)


def iso(value: datetime.datetime | None) -> str:
    """ISO 8601 in the site's time zone, with its offset, to the second."""
    if value is None:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


@dataclass(frozen=True)
class ExportOptions:
    """How an export is written, apart from which comments it holds.

    base_url: scheme and host that permalinks start with ("https://hub.example.org"), without a trailing slash.
    include_personal_names: fill the "Personal name" column; only for viewers allowed to see who wrote a comment
    attributed to an organisation (holders of the export permission, and the command line).
    """

    base_url: str = ""
    include_personal_names: bool = True


# What a row reads from the comment and its one-to-one neighbours (parent, moderator, response), as plain values.
RECORD_FIELDS: tuple[str, ...] = (
    "id", "discussion_id", "question_id", "parent_id", "depth", "author_name", "author_organisation",
    "author_stakeholder_group", "author_country", "author_badge", "show_personal_name", "body", "body_text", "status",
    "decline_reason", "hidden_reason", "highlighted", "edit_count", "created_at", "moderated_at",
    "moderated_by__username", "moderated_by__profile__display_name", "disposition__outcome",
    "disposition__rationale", "parent__author_name", "parent__author_organisation", "parent__show_personal_name",
    "parent__author_badge",
)


class ExportItem:
    """One comment as an export reads it: its values (a named tuple of RECORD_FIELDS) and its lists."""

    __slots__ = ("record", "priority_ids", "working_group_ids", "attachments")

    def __init__(self, record) -> None:
        self.record = record
        self.priority_ids: list[int] = []
        self.working_group_ids: list[int] = []
        self.attachments: list[tuple[int, str]] = []  # (id, original name)


def shown_name(name: str, organisation: str, show_personal_name: bool, badge: str = "") -> str:
    """Comment.shown_name for values read without a model instance (the same rule, kept beside it in tests)."""
    if show_personal_name and name:
        return name
    return organisation or name or badge


def export_queryset(filters: ExportFilters) -> QuerySet:
    """The selection as named value tuples, with parent, moderator and response joined in the same query."""
    return comments_for_export(filters).values_list(*RECORD_FIELDS, named=True)


def iterate_comments(filters: ExportFilters) -> Iterator[ExportItem]:
    """Comments of the selection, read in chunks, each chunk's priorities, working groups and attachments
    fetched by one query apiece: memory holds one chunk, and the query count grows by 3 per chunk.

    Django's prefetch_related (which also prefetches per chunk with .iterator(chunk_size)) is not used here: it
    builds a related manager and a queryset for every comment, which made the 100,000-row export five times slower.
    """
    rows = export_queryset(filters).iterator(chunk_size=CHUNK_SIZE)
    while True:
        chunk = [ExportItem(record) for record in itertools.islice(rows, CHUNK_SIZE)]
        if not chunk:
            return
        by_id = {item.record.id: item for item in chunk}
        ids = list(by_id)
        for comment_id, priority_id in Comment.priorities.through.objects.filter(
                comment_id__in=ids).values_list("comment_id", "priority_id"):
            by_id[comment_id].priority_ids.append(priority_id)
        for comment_id, group_id in Comment.working_groups.through.objects.filter(
                comment_id__in=ids).values_list("comment_id", "workinggroup_id"):
            by_id[comment_id].working_group_ids.append(group_id)
        for comment_id, attachment_id, name in Attachment.objects.filter(comment_id__in=ids).order_by(
                "id").values_list("comment_id", "id", "original_name"):
            by_id[comment_id].attachments.append((attachment_id, name))
        yield from chunk


def _reverse_template(name: str, **kwargs) -> str | None:
    """A URL pattern reversed once with a placeholder, so per-row URLs are a string substitution."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


class RowBuilder:
    """Turns a comment (from `export_queryset`) into the values of `COLUMNS`, in order.

    Discussions and questions are few, so they are loaded once up front rather than joined into every row.
    """

    def __init__(self, filters: ExportFilters, options: ExportOptions) -> None:
        self.options = options
        discussions = Discussion.objects.only("id", "slug", "title")
        if filters.discussion_ids:
            discussions = discussions.filter(pk__in=filters.discussion_ids)
        self.discussions: dict[int, tuple[str, str]] = {}
        for discussion in discussions:
            path = _reverse_template("discussions:discussion-detail", slug=discussion.slug) \
                or f"/discussions/{discussion.slug}/"
            self.discussions[discussion.pk] = (discussion.title, options.base_url + path)
        questions = Question.objects.only("id", "discussion_id", "order", "text").order_by("discussion_id", "order", "id")
        if filters.discussion_ids:
            questions = questions.filter(discussion_id__in=filters.discussion_ids)
        # A question's number is its position in its discussion, counted from 1, as readers see it.
        self.questions: dict[int, tuple[int, str]] = {}
        self.question_discussions: dict[int, int] = {}
        numbers: Counter[int] = Counter()
        for question in questions:
            numbers[question.discussion_id] += 1
            self.questions[question.pk] = (numbers[question.discussion_id], question.text)
            self.question_discussions[question.pk] = question.discussion_id
        self.stakeholder_labels = {str(value): str(label) for value, label in StakeholderGroup.choices}
        self.status_labels = {str(value): str(label) for value, label in Comment.Status.choices}
        self.outcome_labels = {str(value): str(label) for value, label in Disposition.Outcome.choices}
        # Priorities and working groups are few: one query each, then a dictionary lookup per row.
        # In workplan order (kind, then number), so a row lists NP1 before OP3 whatever order they were tagged in.
        self.priorities: dict[int, tuple[str, str]] = {
            p.pk: (p.code, p.title) for p in Priority.objects.only("id", "kind", "number", "title")
            .order_by("workplan_id", "kind", "number")}
        self.priority_rank = {pk: rank for rank, pk in enumerate(self.priorities)}
        self.working_groups: dict[int, str] = dict(WorkingGroup.objects.values_list("id", "name"))
        template = _reverse_template("discussions:attachment-download", pk=999999999)
        self._attachment_url = (options.base_url + template).split("999999999") if template else None

    def attachment_url(self, attachment_id: int) -> str:
        if self._attachment_url is None:
            return ""
        return str(attachment_id).join(self._attachment_url)

    def discussion_title(self, discussion_id: int) -> str:
        return self.discussions.get(discussion_id, ("", ""))[0]

    def question_label(self, question_id: int | None) -> tuple[int | None, str]:
        return self.questions.get(question_id, (None, "")) if question_id else (None, "")

    def _ordered(self, priority_ids: list[int]) -> list[int]:
        if len(priority_ids) < 2:
            return priority_ids
        return sorted(priority_ids, key=lambda pk: self.priority_rank.get(pk, 0))

    def row(self, item: ExportItem, cell=neutralise) -> list[Any]:
        """The cells of one comment in the order of COLUMNS, each text passed through `cell` (neutralise, or
        neutralise_csv for CSV) so that no spreadsheet runs it as a formula."""
        c = item.record
        title, url = self.discussions.get(c.discussion_id, ("", ""))
        question_number, question_text = self.question_label(c.question_id)
        in_reply_to = ""
        if c.parent_id:
            in_reply_to = shown_name(c.parent__author_name or "", c.parent__author_organisation or "",
                                     c.parent__show_personal_name, c.parent__author_badge or "")
        if c.status == Comment.Status.DECLINED:
            reason = c.decline_reason
        elif c.status == Comment.Status.HIDDEN:
            reason = c.hidden_reason
        else:
            reason = c.decline_reason or c.hidden_reason
        priorities = self.priorities
        values = [
            c.id,
            f"{url}#comment-{c.id}" if url else "",
            title,
            question_number,
            question_text,
            c.parent_id,
            c.depth,
            in_reply_to,
            shown_name(c.author_name, c.author_organisation, c.show_personal_name, c.author_badge),
            c.author_name if self.options.include_personal_names else "",
            c.author_organisation,
            self.stakeholder_labels.get(c.author_stakeholder_group, c.author_stakeholder_group),
            c.author_country,
            c.author_badge,
            iso(c.created_at),
            self.status_labels.get(c.status, c.status),
            reason,
            "\n".join("%s %s" % priorities[pk] for pk in self._ordered(item.priority_ids) if pk in priorities),
            "\n".join(self.working_groups.get(pk, "") for pk in item.working_group_ids),
            c.body_text,
            c.body,
            "\n".join(f"{name} {self.attachment_url(pk)}".rstrip() for pk, name in item.attachments),
            yes_no(c.highlighted),
            c.edit_count,
            (c.moderated_by__profile__display_name or c.moderated_by__username or ""),
            iso(c.moderated_at),
            self.outcome_labels.get(c.disposition__outcome, c.disposition__outcome) if c.disposition__outcome else "",
            c.disposition__rationale or "",
        ]
        return [cell(v) if v.__class__ is str else v for v in values]


# --- CSV ----------------------------------------------------------------------------------------------------


def csv_blocks(filters: ExportFilters, options: ExportOptions, *, bom: bool = False) -> Iterator[str]:
    """The CSV file as a series of text blocks: the header, then blocks of rows. Nothing accumulates."""
    builder = RowBuilder(filters, options)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for count, item in enumerate(iterate_comments(filters), 1):
        # CSV also neutralises formula starts after a separator (hub/spreadsheets.py).
        writer.writerow(builder.row(item, neutralise_csv))
        if count % CSV_ROWS_PER_BLOCK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(out: IO[str], filters: ExportFilters, options: ExportOptions, *, bom: bool = False) -> None:
    """Write the CSV to an open text file (opened with newline="" and UTF-8)."""
    for block in csv_blocks(filters, options, bom=bom):
        out.write(block)


# --- Excel --------------------------------------------------------------------------------------------------


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


def _sheet_title(text: str, used: set[str]) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    text = " ".join(text.split())[:31].strip() or "Sheet"
    candidate, n = text, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = text[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


INTEREST_COLUMNS: tuple[Column, ...] = (
    Column("working_group", "Working group", 30, True),
    Column("organisation", "Organisation", 30, True),
    Column("stakeholder_group", "Stakeholder group", 18),
    Column("country", "Country", 14),
    Column("role", "As", 12),
    Column("status", "Status", 12),
    Column("message", "Message", 60, True),
    Column("reply", "Reply", 40, True),
    Column("created_at", "Submitted at", 26),
    Column("decided_at", "Decided at", 26),
)
SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("what", "Counted", 22), Column("item", "Item", 70, True), Column("comments", "Comments", 12),
)


def interest_for_export(filters: ExportFilters) -> QuerySet[InterestExpression]:
    """Expressions of interest in the working groups of the selected discussions' workplans (all, if none chosen)."""
    qs = InterestExpression.objects.select_related("working_group", "organisation").order_by(
        "working_group__name", "created_at", "id")
    if filters.discussion_ids:
        workplan_ids = Discussion.objects.filter(pk__in=filters.discussion_ids).values("workplan_id")
        qs = qs.filter(working_group__workplan_id__in=workplan_ids)
    if filters.working_group_id:
        qs = qs.filter(working_group_id=filters.working_group_id)
    return qs


def write_xlsx(out: IO[bytes] | str, filters: ExportFilters, options: ExportOptions) -> None:
    """Write the Excel workbook: all comments, one sheet per question and per priority, expressions of interest
    in working groups, and a summary. openpyxl's write-only mode streams each sheet to a temporary file."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    styles = {
        "bold": Font(bold=True),
        "fill": PatternFill("solid", fgColor="DDE7F3"),
        "header": Alignment(wrap_text=True, vertical="top"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }
    builder = RowBuilder(filters, options)
    selection = comments_for_export(filters)
    question_ids = set(selection.exclude(question=None).values_list("question_id", flat=True).distinct())
    priority_ids = set(Comment.priorities.through.objects.filter(comment__in=selection.values("pk"))
                       .values_list("priority_id", flat=True).distinct())
    priorities = list(Priority.objects.filter(pk__in=priority_ids).select_related("workplan")
                      .order_by("workplan__title", "kind", "number"))
    many_workplans = len({p.workplan_id for p in priorities}) > 1

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    all_sheet = _Sheet(workbook, _sheet_title(_("All comments"), used), COLUMNS, styles)

    ordered_questions = sorted(
        (qid for qid in question_ids if qid in builder.questions),
        key=lambda qid: (builder.discussion_title(_question_discussion(builder, qid)), builder.questions[qid][0]))
    many_discussions = len({_question_discussion(builder, qid) for qid in ordered_questions}) > 1
    question_sheets: dict[int, _Sheet] = {}
    for qid in ordered_questions:
        number, text = builder.questions[qid]
        prefix = f"Q{number} "
        if many_discussions:
            prefix = f"{builder.discussion_title(_question_discussion(builder, qid))[:10]} {prefix}"
        question_sheets[qid] = _Sheet(workbook, _sheet_title(prefix + text, used), TOPIC_COLUMNS, styles)
    priority_sheets: dict[int, _Sheet] = {}
    for priority in priorities:
        prefix = f"{priority.workplan.period} " if many_workplans else ""
        priority_sheets[priority.pk] = _Sheet(
            workbook, _sheet_title(f"{prefix}{priority.code} {priority.title}", used), TOPIC_COLUMNS, styles)

    per_question: Counter[int] = Counter()
    per_priority: Counter[int] = Counter()
    per_group: Counter[str] = Counter()
    organisations: set[str] = set()
    general = 0
    total = 0
    for item in iterate_comments(filters):
        comment = item.record
        row = builder.row(item)
        total += 1
        all_sheet.append(row)
        topic_row = [row[i] for i in _TOPIC_INDEXES]
        if comment.question_id in question_sheets:
            question_sheets[comment.question_id].append(topic_row)
            per_question[comment.question_id] += 1
        elif comment.question_id is None:
            general += 1
        for priority_id in item.priority_ids:
            if priority_id in priority_sheets:
                priority_sheets[priority_id].append(topic_row)
                per_priority[priority_id] += 1
        per_group[comment.author_stakeholder_group] += 1
        if comment.author_organisation:
            organisations.add(comment.author_organisation)

    interest_sheet = _Sheet(workbook, _sheet_title(_("Interest in working groups"), used), INTEREST_COLUMNS, styles)
    role_labels = dict(InterestExpression.Role.choices)
    interest_status_labels = dict(InterestExpression.Status.choices)
    for interest in interest_for_export(filters).iterator(chunk_size=CHUNK_SIZE):
        organisation = interest.organisation
        interest_sheet.append([neutralise(v) for v in (
            interest.working_group.name, organisation.name,
            builder.stakeholder_labels.get(organisation.stakeholder_group, organisation.stakeholder_group),
            organisation.country, str(role_labels.get(interest.role, interest.role)),
            str(interest_status_labels.get(interest.status, interest.status)), interest.message, interest.reply,
            iso(interest.created_at), iso(interest.decided_at),
        )])

    summary = _Sheet(workbook, _sheet_title(_("Summary"), used), SUMMARY_COLUMNS, styles)
    summary.append(["Exported at", iso(timezone.now()), None])
    for line in filters.described or ("Filters: none (published comments of every discussion)",):
        summary.append(["Filter", neutralise(line), None])
    summary.append(["Total", "Comments", total])
    summary.append(["Total", "Organisations", len(organisations)])
    for qid in ordered_questions:
        number, text = builder.questions[qid]
        label = f"Q{number} {text}"
        if many_discussions:
            label = f"{builder.discussion_title(_question_discussion(builder, qid))}: {label}"
        summary.append(["Question", neutralise(label), per_question[qid]])
    if general:
        summary.append(["Question", "General comments (no question)", general])
    for priority in priorities:
        summary.append(["Priority", neutralise(f"{priority.code} {priority.title}"), per_priority[priority.pk]])
    for group, count in sorted(per_group.items(), key=lambda item: (-item[1], item[0])):
        summary.append(["Stakeholder group", builder.stakeholder_labels.get(group, group) or "(not given)", count])

    workbook.save(out)


def _question_discussion(builder: RowBuilder, question_id: int) -> int:
    return builder.question_discussions.get(question_id, 0)


# --- Attachments --------------------------------------------------------------------------------------------


def attachment_archive_name(attachment: Attachment) -> str:
    """Where an attachment goes in the zip: the comment id first, so every file is traced to its comment."""
    name = get_valid_filename(attachment.original_name) or "file"
    return f"comment-{attachment.comment_id}/{attachment.pk}-{name}"


def write_attachments_zip(out: IO[bytes], filters: ExportFilters, options: ExportOptions) -> int:
    """A zip of the selection's attachments, each under comment-<id>/, with an index (attachments.csv) giving
    each file's comment, permalink and author. Returns the number of files."""
    builder = RowBuilder(filters, options)
    selection = comments_for_export(filters)
    attachments = (Attachment.objects.filter(comment__in=selection.values("pk"))
                   .select_related("comment").order_by("comment_id", "id"))
    index = io.StringIO()
    writer = csv.writer(index)
    writer.writerow(["File", "Original name", "Comment id", "Permalink", "Author (as shown)", "Organisation",
                     "Type", "Size (bytes)", "SHA-256"])
    files = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for attachment in attachments.iterator(chunk_size=CHUNK_SIZE):
            comment = attachment.comment
            path = attachment_archive_name(attachment)
            try:
                with attachment.file.open("rb") as source, archive.open(path, "w") as target:
                    while chunk := source.read(1 << 20):
                        target.write(chunk)
            except FileNotFoundError:
                path = ""  # listed in the index with no file, rather than failing the whole archive
            else:
                files += 1
            _, url = builder.discussions.get(comment.discussion_id, ("", ""))
            writer.writerow([neutralise_csv(v) for v in (
                path, attachment.original_name, comment.pk, f"{url}#comment-{comment.pk}" if url else "",
                comment.shown_name, comment.author_organisation, attachment.content_type, attachment.size,
                attachment.sha256)])
        archive.writestr("attachments.csv", "\ufeff" + index.getvalue())
    return files


# --- JSON bundle --------------------------------------------------------------------------------------------


class BundleExportUnavailable(RuntimeError):
    """The interchange module has no export function (yet)."""


def write_consultation_bundle(out: IO[bytes] | str, discussion: Discussion,
                              filters: ExportFilters | None = None) -> None:
    """The JSON interchange bundle (.zip with consultation.json and attachments) of one discussion: with `filters`,
    only the comments they select (and their attachments); never any e-mail address.

    The format belongs to discussions/interchange.py (the same function as `export_consultation`, which alone can
    add e-mail addresses, with --include-emails).
    """
    from discussions import interchange

    function = getattr(interchange, "export_consultation_bundle", None)
    if function is None:
        raise BundleExportUnavailable(_("The JSON bundle export is not available (discussions/interchange.py)."))
    comments = comments_for_export(filters) if filters is not None else None
    function(discussion, out, comments=comments, include_emails=False)
