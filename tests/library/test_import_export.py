"""Importing existing resources from CSV (all or nothing, problems named by row) and exporting the library as CSV
and Excel with every text cell neutralised against formulas."""
from __future__ import annotations

import csv
import io
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from hub.library.exports import HEADERS
from hub.library.models import Resource
from hub.models import AuditEntry
from hub.roles import SECRETARIAT
from tests.factories import make_priority, make_user, make_workplan
from tests.library.factories import make_resource

pytestmark = pytest.mark.django_db

HEADER = "title,summary,type,publisher,languages,scope,region,country,year,gcm_objectives,priorities,url,reviewed\n"


def write(tmp_path, text: str, name: str = "resources.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args) -> str:
    out = StringIO()
    call_command("import_library", *args, stdout=out)
    return out.getvalue()


def test_a_valid_file_is_imported_and_published_with_its_review_date(tmp_path):
    workplan = make_workplan(slug="network-workplan")
    make_priority(workplan=workplan, kind="ongoing", number=3)
    path = write(tmp_path, HEADER +
                 'Detention brief,"Why alternatives work.",Policy brief,OHCHR,en;fr,global,,,2022,13;7,OP3,'
                 'https://example.org/a,2023-05-01\n'
                 'Kenya practice,A city practice.,practice,City,English,national,,Kenya,,16,,https://example.org/b,\n')
    output = run(path, "--workplan", "network-workplan")
    assert "Imported 2 resources (published)" in output and "Detention brief" in output
    brief = Resource.objects.get(title="Detention brief")
    assert brief.status == Resource.Status.PUBLISHED and brief.imported
    assert brief.published_at.date().isoformat() == "2023-05-01"
    assert sorted(brief.languages.values_list("code", flat=True)) == ["en", "fr"]
    assert sorted(brief.gcm_objectives.values_list("number", flat=True)) == [7, 13]
    assert [p.code for p in brief.priorities.all()] == ["OP3"]
    [entry] = AuditEntry.objects.filter(action="library.import")
    assert sorted(entry.after["ids"]) == sorted(Resource.objects.values_list("pk", flat=True))


def test_any_bad_row_imports_nothing_and_every_problem_is_named_by_row(tmp_path):
    path = write(tmp_path, HEADER +
                 "Good one,Fine.,report,IOM,en,global,,,,,,https://example.org/good,\n"
                 "Bad type,Text.,blog,IOM,en,global,,,,,,https://example.org/x,\n"
                 "No link,Text.,report,IOM,xx,regional,,,20x,99,NP9,,yesterday\n")
    with pytest.raises(CommandError) as caught:
        run(path)
    message = str(caught.value)
    assert "Nothing imported" in message
    assert "Row 3 (“Bad type”): type: 'blog' is not a type" in message
    for fragment in ["Row 4 (“No link”): languages: 'xx'", "Row 4 (“No link”): region:",
                     "Row 4 (“No link”): year: '20x'", "Row 4 (“No link”): gcm_objectives: '99'",
                     "Row 4 (“No link”): priorities: 'NP9'", "Row 4 (“No link”): reviewed: 'yesterday'",
                     "Row 4 (“No link”): url: Give a link"]:
        assert fragment in message, fragment
    assert "Row 2" not in message
    assert not Resource.objects.exists()


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="lacks the column.*languages, scope"):
        run(write(tmp_path, "title,summary,type,publisher\nA,B,report,C\n"))


def test_duplicates_of_the_library_or_within_the_file_are_refused(tmp_path):
    make_resource(title="Existing", url="https://example.org/e")
    path = write(tmp_path, HEADER + "Existing,x,report,IOM,en,global,,,,,,https://example.org/e,\n"
                                    "Twice,x,report,IOM,en,global,,,,,,https://example.org/t,\n"
                                    "Twice,x,report,IOM,en,global,,,,,,https://example.org/t,\n")
    with pytest.raises(CommandError) as caught:
        run(path)
    assert "already in the library" in str(caught.value) and "the same title and link as row 3" in str(caught.value)
    assert Resource.objects.count() == 1


def test_check_only_and_as_submitted(tmp_path):
    path = write(tmp_path, HEADER + "Queued,x,report,IOM,en,global,,,,,,https://example.org/q,\n")
    assert "is valid: 1 resources" in run(path, "--check")
    assert not Resource.objects.exists()
    run(path, "--as-submitted")
    assert Resource.objects.get().status == Resource.Status.SUBMITTED


def test_a_file_that_is_not_utf8_csv_is_refused_clearly(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "Caf\xe9,x,report,IOM,en,global,,,,,,https://example.org/c,\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not a readable UTF-8 CSV"):
        run(str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"))


# --- Export ------------------------------------------------------------------------------------------------------

DANGEROUS = "=HYPERLINK(\"http://evil.example\",\"click\")"


def test_the_csv_export_neutralises_formulas_and_is_audited(client):
    make_resource(title=DANGEROUS, publisher="+SUM(A1:A2)", summary="<p>-2+3</p>", licence="Agreed;=WEBSERVICE(1)")
    make_resource(title="Pending", status=Resource.Status.SUBMITTED)
    client.force_login(make_user(role=SECRETARIAT))
    response = client.get("/library/manage/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    [row] = rows[1:]  # published only by default
    data = dict(zip(HEADERS, row))
    assert data["title"] == "'" + DANGEROUS and data["publisher"] == "'+SUM(A1:A2)" and data["summary"] == "'-2+3"
    assert data["licence"] == "Agreed;'=WEBSERVICE(1)"  # safe however another program splits the line
    assert AuditEntry.objects.filter(action="library.export").exists()
    rows = list(csv.reader(io.StringIO(client.get("/library/manage/export.csv?status=all").content.decode("utf-8-sig"))))
    assert len(rows) == 3


def test_the_excel_export_neutralises_formulas(client):
    make_resource(title=DANGEROUS, licence="@cmd", publisher="#N/A")
    client.force_login(make_user(role=SECRETARIAT))
    response = client.get("/library/manage/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]]))
    assert header == HEADERS
    assert values["title"] == "'" + DANGEROUS and values["licence"] == "'@cmd"
    assert values["publisher"] == "#N/A" and sheet.cell(row=2, column=header.index("publisher") + 1).data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_export_can_be_imported_again(client, tmp_path):
    workplan = make_workplan(slug="wp")
    priority = make_priority(workplan=workplan, kind="new", number=5)
    make_resource(title="Round trip", scope="regional", region="africa", priorities=[priority], languages=("en", "fr"),
                  year=2020)
    client.force_login(make_user(role=SECRETARIAT))
    exported = client.get("/library/manage/export.csv").content.decode("utf-8-sig")
    Resource.objects.all().delete()
    run(write(tmp_path, exported))
    copy = Resource.objects.get()
    assert (copy.title, copy.region, copy.year) == ("Round trip", "africa", 2020)
    assert list(copy.priorities.all()) == [priority]
