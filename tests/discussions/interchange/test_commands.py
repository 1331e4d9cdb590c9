"""The two management commands, import_consultation and export_consultation."""
from __future__ import annotations

import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from discussions.interchange import import_consultation_bundle
from tests.discussions.interchange.bundles import EXAMPLE, example_data, row_counts, write_folder

pytestmark = pytest.mark.django_db


def test_the_import_command_reports_what_it_created_and_updated(capsys):
    call_command("import_consultation", str(EXAMPLE))
    out = capsys.readouterr().out
    assert "Imported discussion 'example-workplan-consultation'" in out
    assert "comment: 4 created" in out and "attachment: 1 created" in out

    call_command("import_consultation", str(EXAMPLE), "--update-existing")
    assert "comment: 4 updated" in capsys.readouterr().out


def test_the_import_command_fails_with_the_first_problem_and_writes_nothing(tmp_path):
    data = example_data()
    data["comments"][2]["status"] = "approved"
    before = row_counts()
    with pytest.raises(CommandError, match=r"comments\[2\]\.status: 'approved' is not one of"):
        call_command("import_consultation", str(write_folder(tmp_path / "b", data)))
    assert row_counts() == before


def test_the_check_option_validates_without_writing(capsys):
    before = row_counts()
    call_command("import_consultation", str(EXAMPLE), "--check")
    assert "is valid" in capsys.readouterr().out and row_counts() == before


def test_the_export_command_writes_a_zip_bundle(tmp_path, capsys):
    import_consultation_bundle(EXAMPLE)
    target = tmp_path / "export.zip"
    call_command("export_consultation", "example-workplan-consultation", "-o", str(target))
    assert "4 comments, 1 attachments" in capsys.readouterr().out
    with zipfile.ZipFile(target) as bundle:
        assert json.loads(bundle.read("consultation.json"))["discussion"]["slug"] == "example-workplan-consultation"
    with pytest.raises(CommandError, match="No discussion with the slug 'nope'"):
        call_command("export_consultation", "nope", "-o", str(tmp_path / "x.zip"))

