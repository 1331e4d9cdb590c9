"""Feedback exports: one row per comment, the same columns in CSV and Excel, plus a zip of the attachments and
the JSON bundle of one discussion.

`COLUMNS` is the one place the columns are defined; `RowBuilder.row` fills them. Both writers stream: comments
are read by `selectors.iterate_comments` in chunks, with the priorities, working groups and attachments of each
chunk fetched by one query per chunk, so memory stays flat however many comments there are. Every text cell
goes through `hub.spreadsheets` (`neutralise`, and in CSV `neutralise_csv`) so that a spreadsheet never runs a
comment as a formula, and the Excel writer types every text cell as a string.
"""
from __future__ import annotations

import csv
import datetime
import functools
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from discussions.interchange import export_consultation_bundle
from discussions.models import Attachment, Comment, Discussion, Disposition, Question
from discussions.secretariat.selectors import (
    CHUNK_SIZE,
    ExportFilters,
    ExportItem,
    comments_for_export,
    interest_for_export,
    iterate_comments,
)
from hub.models import stakeholder_group_label
from hub.spreadsheets import neutralise, neutralise_csv
from workplan.models import Priority, WorkingGroup

# Rows are gathered into blocks of about this many before a streamed response sends them.
CSV_ROWS_PER_BLOCK = 200
EXCEL_MAX_CELL = 32_767
# A writer calls this with the number of rows (or files) written so far; the job framework throttles the writes.
Progress = Callable[[int], None]


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
    Column("language", "Language", 10),
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


def shown_name(name: str, organisation: str, show_personal_name: bool, badge: str = "") -> str:
    """Comment.shown_name for values read without a model instance (the same rule, kept beside it in tests)."""
    if show_personal_name and name:
        return name
    return organisation or name or badge


def _reason(c) -> str:
    """The reason that goes with the comment's status (the decline reason of a declined one, and so on)."""
    if c.status == Comment.Status.DECLINED:
        return c.decline_reason
    if c.status == Comment.Status.HIDDEN:
        return c.hidden_reason
    return c.decline_reason or c.hidden_reason


def _in_reply_to(c) -> str:
    if not c.parent_id:
        return ""
    return shown_name(c.parent__author_name or "", c.parent__author_organisation or "", c.parent__show_personal_name,
                      c.parent__author_badge or "")


class RowBuilder:
    """Turns a comment (an `ExportItem` of `selectors.iterate_comments`) into the values of `COLUMNS`, in order.

    Discussions, questions, priorities and working groups are few, so they are loaded once up front (one query
    each) rather than joined into every row; a row then looks them up in a dictionary.
    """

    def __init__(self, filters: ExportFilters, options: ExportOptions) -> None:
        self.options = options
        self.discussions = self._load_discussions(filters, options.base_url)
        self._load_questions(filters)
        self._load_priorities()
        self.working_groups: dict[int, str] = dict(WorkingGroup.objects.values_list("id", "name"))
        # Each label worked out once per export rather than once per row: the label function translates on
        # every call, which cost a second per 100,000 rows.
        self.stakeholder_group_label = functools.lru_cache(maxsize=None)(stakeholder_group_label)
        self.status_labels = {str(value): str(label) for value, label in Comment.Status.choices}
        self.outcome_labels = {str(value): str(label) for value, label in Disposition.Outcome.choices}
        # Reversed once with a placeholder, so a row's attachment URLs are a string substitution.
        template = reverse("discussions:attachment-download", kwargs={"pk": 999999999})
        self._attachment_url = (options.base_url + template).split("999999999")

    @staticmethod
    def _load_discussions(filters: ExportFilters, base_url: str) -> dict[int, tuple[str, str]]:
        """Each discussion's title and the absolute URL of its page, which permalinks hang off."""
        discussions = Discussion.objects.only("id", "slug", "title")
        if filters.discussion_ids:
            discussions = discussions.filter(pk__in=filters.discussion_ids)
        return {d.pk: (d.title, base_url + d.get_absolute_url()) for d in discussions}

    def _load_questions(self, filters: ExportFilters) -> None:
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

    def _load_priorities(self) -> None:
        # In workplan order (kind, then number), so a row lists NP1 before OP3 whatever order they were tagged in.
        self.priorities: dict[int, tuple[str, str]] = {
            p.pk: (p.code, p.title) for p in Priority.objects.only("id", "kind", "number", "title")
            .order_by("workplan_id", "kind", "number")}
        self.priority_rank = {pk: rank for rank, pk in enumerate(self.priorities)}

    def attachment_url(self, attachment_id: int) -> str:
        return str(attachment_id).join(self._attachment_url)

    def discussion_title(self, discussion_id: int) -> str:
        return self.discussions.get(discussion_id, ("", ""))[0]

    def question_label(self, question_id: int | None) -> tuple[int | None, str]:
        return self.questions.get(question_id, (None, "")) if question_id else (None, "")

    def question_discussion(self, question_id: int) -> int:
        return self.question_discussions.get(question_id, 0)

    def _priorities_text(self, priority_ids: list[int]) -> str:
        priorities = self.priorities
        if len(priority_ids) > 1:
            priority_ids = sorted(priority_ids, key=lambda pk: self.priority_rank.get(pk, 0))
        return "\n".join("%s %s" % priorities[pk] for pk in priority_ids if pk in priorities)

    def _attachments_text(self, attachments: list[tuple[int, str]]) -> str:
        return "\n".join(f"{name} {self.attachment_url(pk)}".rstrip() for pk, name in attachments)

    def row(self, item: ExportItem, cell=neutralise) -> list[Any]:
        """The cells of one comment in the order of COLUMNS, each text passed through `cell` (neutralise, or
        neutralise_csv for CSV) so that no spreadsheet runs it as a formula."""
        c = item.record
        title, url = self.discussions.get(c.discussion_id, ("", ""))
        question_number, question_text = self.question_label(c.question_id)
        outcome = c.disposition__outcome
        values = [
            c.id,
            f"{url}#comment-{c.id}" if url else "",
            title,
            question_number,
            question_text,
            c.parent_id,
            c.depth,
            _in_reply_to(c),
            shown_name(c.author_name, c.author_organisation, c.show_personal_name, c.author_badge),
            c.author_name if self.options.include_personal_names else "",
            c.author_organisation,
            self.stakeholder_group_label(c.author_stakeholder_group),
            c.author_country,
            c.author_badge,
            iso(c.created_at),
            self.status_labels.get(c.status, c.status),
            _reason(c),
            self._priorities_text(item.priority_ids),
            "\n".join(self.working_groups.get(pk, "") for pk in item.working_group_ids),
            c.body_text,
            c.body,
            self._attachments_text(item.attachments),
            yes_no(c.highlighted),
            c.edit_count,
            (c.moderated_by__profile__display_name or c.moderated_by__username or ""),
            iso(c.moderated_at),
            self.outcome_labels.get(outcome, outcome) if outcome else "",
            c.disposition__rationale or "",
            c.language,
        ]
        return [cell(v) if v.__class__ is str else v for v in values]


# --- CSV ----------------------------------------------------------------------------------------------------


def csv_blocks(filters: ExportFilters, options: ExportOptions, *, bom: bool = False,
               progress: Progress | None = None) -> Iterator[str]:
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
        if progress is not None:
            progress(count)
        if count % CSV_ROWS_PER_BLOCK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(out: IO[str], filters: ExportFilters, options: ExportOptions, *, bom: bool = False,
              progress: Progress | None = None) -> None:
    """Write the CSV to an open text file (opened with newline="" and UTF-8)."""
    for block in csv_blocks(filters, options, bom=bom, progress=progress):
        out.write(block)


# --- Excel --------------------------------------------------------------------------------------------------

_CUT_MARKER = " […]"


def _utf16_units(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def _excel_text(value: str) -> str:
    """Excel refuses cells over 32,767 characters (UTF-16 units: an emoji counts two): shorten, saying so.

    Control characters were removed by `neutralise` already; any that reached a sheet otherwise would still make a
    valid file, since XlsxWriter writes them as Excel's _xHHHH_ escapes (and escapes a literal "_x0041_" too)."""
    if len(value) > EXCEL_MAX_CELL // 2 and _utf16_units(value) > EXCEL_MAX_CELL:
        keep = (EXCEL_MAX_CELL - len(_CUT_MARKER)) * 2
        # Cut in UTF-16 and drop a half surrogate pair at the cut, if any.
        value = value.encode("utf-16-le")[:keep].decode("utf-16-le", errors="ignore") + _CUT_MARKER
    return value


class _Sheet:
    """A worksheet of XlsxWriter's constant-memory mode (each row goes to a temporary file as soon as the next one
    starts): a bold frozen header, column widths, long-text columns wrapped through a column format (no cell
    carries a style of its own), and every text cell written with write_string, so it is a string whatever it
    starts with: "=1+1" and "#N/A" stay text, never a formula or an error value (the exports neutralise formulas
    before this, so that is a second, independent guard)."""

    def __init__(self, book: "_Workbook", title: str, columns: Iterable[Column]) -> None:
        self.ws = book.workbook.add_worksheet(title)
        self.columns = tuple(columns)
        self.ws.freeze_panes(1, 0)
        for index, column in enumerate(self.columns):
            self.ws.set_column(index, index, column.width, book.wrap if column.wrap else None)
            self.ws.write_string(0, index, column.header, book.header)
        self.rows = 0
        self._string = self.ws.write_string
        self._number = self.ws.write_number

    def append(self, values: list[Any]) -> None:
        """Append a row: text as strings, numbers as numbers, empty values as no cell at all."""
        self.rows += 1
        row = self.rows
        string, number = self._string, self._number
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if value.__class__ is str:
                string(row, col, _excel_text(value))
            else:
                number(row, col, value)


class _Workbook:
    """An XlsxWriter workbook in constant-memory mode whose sheets share two formats and have names unique in it.

    XlsxWriter was chosen over openpyxl's write-only mode by bench/export.py (README, "Dependencies"): the same
    workbook from the same rows in about a fifth less CPU time, with a lower, flat peak memory."""

    def __init__(self, out: IO[bytes] | str) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(out, {
            "constant_memory": True,
            # Text is text: never turned into a number, a formula or a link by the library.
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        })
        self.header = self.workbook.add_format({"bold": True, "bg_color": "#DDE7F3", "text_wrap": True,
                                                "valign": "top"})
        self.wrap = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        # Excel reserves "History" for itself; XlsxWriter refuses it.
        self.used: set[str] = {"history"}

    def sheet(self, title: str, columns: Iterable[Column]) -> _Sheet:
        return _Sheet(self, sheet_title(title, self.used), columns)

    def close(self) -> None:
        self.workbook.close()


def sheet_title(text: str, used: set[str]) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    # Excel refuses a name that starts or ends with an apostrophe.
    text = " ".join(text.split())[:31].strip().strip("'").strip() or "Sheet"
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


def write_xlsx(out: IO[bytes] | str, filters: ExportFilters, options: ExportOptions, *,
               progress: Progress | None = None) -> None:
    """Write the Excel workbook (see `write_workbook`) with XlsxWriter, row by row, in constant memory."""
    book = _Workbook(out)
    write_workbook(book, filters, options, progress=progress)
    book.close()


def write_workbook(book, filters: ExportFilters, options: ExportOptions, *, progress: Progress | None = None) -> None:
    """Fill a workbook: all comments, one sheet per question and per priority, expressions of interest in working
    groups, and a summary. `book.sheet(title, columns)` gives a sheet whose `append(values)` writes a row; the
    benchmark passes an openpyxl book with the same two methods to compare the libraries on the same rows."""
    builder = RowBuilder(filters, options)
    topics = _Topics(filters, builder)
    all_sheet = book.sheet(_("All comments"), COLUMNS)
    question_sheets = {qid: book.sheet(topics.question_sheet_title(qid), TOPIC_COLUMNS) for qid in topics.question_ids}
    priority_sheets = {p.pk: book.sheet(topics.priority_sheet_title(p), TOPIC_COLUMNS) for p in topics.priorities}
    tally = _write_comments(filters, builder, all_sheet, question_sheets, priority_sheets, progress)
    _write_interest(book.sheet(_("Interest in working groups"), INTEREST_COLUMNS), filters)
    _write_summary(book.sheet(_("Summary"), SUMMARY_COLUMNS), filters, topics, tally)


class _Topics:
    """The questions and priorities the selection's comments are on, in the order of their sheets, and their names.

    A question is named with its discussion only when the selection spans several discussions, and a priority
    with its workplan's period only when it spans several workplans.
    """

    def __init__(self, filters: ExportFilters, builder: RowBuilder) -> None:
        self.builder = builder
        selection = comments_for_export(filters)
        question_ids = set(selection.exclude(question=None).values_list("question_id", flat=True).distinct())
        priority_ids = set(Comment.priorities.through.objects.filter(comment__in=selection.values("pk"))
                           .values_list("priority_id", flat=True).distinct())
        self.priorities = list(Priority.objects.filter(pk__in=priority_ids).select_related("workplan")
                               .order_by("workplan__title", "kind", "number"))
        self.many_workplans = len({p.workplan_id for p in self.priorities}) > 1
        self.question_ids = sorted(
            (qid for qid in question_ids if qid in builder.questions),
            key=lambda qid: (self._discussion_title(qid), builder.questions[qid][0]))
        self.many_discussions = len({builder.question_discussion(qid) for qid in self.question_ids}) > 1

    def _discussion_title(self, question_id: int) -> str:
        return self.builder.discussion_title(self.builder.question_discussion(question_id))

    def question_sheet_title(self, question_id: int) -> str:
        number, text = self.builder.questions[question_id]
        prefix = f"Q{number} "
        if self.many_discussions:
            prefix = f"{self._discussion_title(question_id)[:10]} {prefix}"
        return prefix + text

    def question_summary_label(self, question_id: int) -> str:
        number, text = self.builder.questions[question_id]
        label = f"Q{number} {text}"
        if self.many_discussions:
            label = f"{self._discussion_title(question_id)}: {label}"
        return label

    def priority_sheet_title(self, priority: Priority) -> str:
        prefix = f"{priority.workplan.period} " if self.many_workplans else ""
        return f"{prefix}{priority.code} {priority.title}"


@dataclass
class _Tally:
    """What the summary sheet counts, gathered while the comments are written."""

    total: int = 0
    general: int = 0  # comments on no question
    per_question: Counter[int] = field(default_factory=Counter)
    per_priority: Counter[int] = field(default_factory=Counter)
    per_group: Counter[str] = field(default_factory=Counter)
    organisations: set[str] = field(default_factory=set)


def _write_comments(filters: ExportFilters, builder: RowBuilder, all_sheet: _Sheet,
                    question_sheets: dict[int, _Sheet], priority_sheets: dict[int, _Sheet],
                    progress: Progress | None = None) -> _Tally:
    """Every comment on the first sheet, and again (the topic columns only) on its question's and priorities'."""
    tally = _Tally()
    for item in iterate_comments(filters):
        comment = item.record
        row = builder.row(item)
        tally.total += 1
        all_sheet.append(row)
        topic_row = [row[i] for i in _TOPIC_INDEXES]
        if comment.question_id in question_sheets:
            question_sheets[comment.question_id].append(topic_row)
            tally.per_question[comment.question_id] += 1
        elif comment.question_id is None:
            tally.general += 1
        for priority_id in item.priority_ids:
            if priority_id in priority_sheets:
                priority_sheets[priority_id].append(topic_row)
                tally.per_priority[priority_id] += 1
        tally.per_group[comment.author_stakeholder_group] += 1
        if comment.author_organisation:
            tally.organisations.add(comment.author_organisation)
        if progress is not None:
            progress(tally.total)
    return tally


def _write_interest(sheet: _Sheet, filters: ExportFilters) -> None:
    for interest in interest_for_export(filters).iterator(chunk_size=CHUNK_SIZE):
        organisation = interest.organisation
        sheet.append([neutralise(v) for v in (
            interest.working_group.name, organisation.name, stakeholder_group_label(organisation.stakeholder_group),
            organisation.country, interest.get_role_display(), interest.get_status_display(), interest.message,
            interest.reply, iso(interest.created_at), iso(interest.decided_at),
        )])


def _write_summary(sheet: _Sheet, filters: ExportFilters, topics: _Topics, tally: _Tally) -> None:
    sheet.append(["Exported at", iso(timezone.now()), None])
    for line in filters.described or ("Filters: none (published comments of every discussion)",):
        sheet.append(["Filter", neutralise(line), None])
    sheet.append(["Total", "Comments", tally.total])
    sheet.append(["Total", "Organisations", len(tally.organisations)])
    for qid in topics.question_ids:
        sheet.append(["Question", neutralise(topics.question_summary_label(qid)), tally.per_question[qid]])
    if tally.general:
        sheet.append(["Question", "General comments (no question)", tally.general])
    for priority in topics.priorities:
        sheet.append(["Priority", neutralise(f"{priority.code} {priority.title}"), tally.per_priority[priority.pk]])
    for group, count in sorted(tally.per_group.items(), key=lambda item: (-item[1], item[0])):
        sheet.append(["Stakeholder group", stakeholder_group_label(group) or "(not given)", count])


# --- Attachments --------------------------------------------------------------------------------------------


def attachment_archive_name(attachment: Attachment) -> str:
    """Where an attachment goes in the zip: the comment id first, so every file is traced to its comment."""
    name = get_valid_filename(attachment.original_name) or "file"
    return f"comment-{attachment.comment_id}/{attachment.pk}-{name}"


def write_attachments_zip(out: IO[bytes], filters: ExportFilters, options: ExportOptions, *,
                          progress: Progress | None = None) -> int:
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
    files = listed = 0
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
            listed += 1
            if progress is not None:
                progress(listed)
            _, url = builder.discussions.get(comment.discussion_id, ("", ""))
            writer.writerow([neutralise_csv(v) for v in (
                path, attachment.original_name, comment.pk, f"{url}#comment-{comment.pk}" if url else "",
                comment.shown_name, comment.author_organisation, attachment.content_type, attachment.size,
                attachment.sha256)])
        archive.writestr("attachments.csv", "\ufeff" + index.getvalue())
    return files


# --- JSON bundle --------------------------------------------------------------------------------------------


def write_consultation_bundle(out: IO[bytes] | str, discussion: Discussion, filters: ExportFilters, *,
                              progress: Callable[[int, int], None] | None = None) -> None:
    """The JSON interchange bundle (.zip with consultation.json and attachments) of one discussion, holding only
    the comments the filters select (and their attachments) and never any e-mail address.

    The format belongs to discussions.interchange: its `export_consultation_bundle` alone can add e-mail
    addresses, for `export_consultation --include-emails`.
    """
    export_consultation_bundle(discussion, out, comments=comments_for_export(filters), include_emails=False,
                               progress=progress)
