"""`manage.py export_feedback` writes each format for one discussion."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from discussions.secretariat.export import HEADERS

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("export_feedback", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_a_csv_with_the_base_url_in_permalinks(known, tmp_path):
    path = tmp_path / "feedback.csv"
    message = _run("--discussion", known.discussion.slug, "--format", "csv", "-o", str(path),
                   "--base-url", "https://hub.example.org/")
    assert "5 comments" in message
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(rows) == 5
    assert rows[0]["Permalink"] == f"https://hub.example.org/discussions/draft-workplan/#comment-{known.arabic.pk}"
    assert rows[0]["Comment (plain text)"] == "نص عربي\n- أولاً\n- ثانياً"
    assert not list(tmp_path.glob("*.partial"))


def test_the_command_exports_every_status_with_a_bom_on_request(known, tmp_path):
    path = tmp_path / "all.csv"
    _run("--discussion", known.discussion.slug, "--status", "all", "--bom", "--format", "csv", "-o", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["Status"] for r in rows].count("Declined") == 1


def test_the_command_writes_an_excel_workbook(known, tmp_path):
    path = tmp_path / "feedback.xlsx"
    _run("--discussion", known.discussion.slug, "--format", "xlsx", "-o", str(path), "--priority", "np1")
    workbook = load_workbook(path)
    rows = list(workbook["All comments"].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == [known.chinese.pk, known.quoted.pk]
    assert workbook.sheetnames[-1] == "Summary"


def test_the_command_writes_the_json_bundle_of_one_discussion(known, tmp_path):
    path = tmp_path / "bundle.zip"
    _run("--discussion", known.discussion.slug, "--format", "json", "-o", str(path))
    archive = zipfile.ZipFile(path)
    data = json.loads(archive.read("consultation.json"))
    assert data["discussion"]["slug"] == "draft-workplan"
    assert any(name.endswith(".pdf") or "attachments/" in name for name in archive.namelist())


def test_the_command_writes_the_attachments_zip(known, tmp_path):
    path = tmp_path / "files.zip"
    _run("--discussion", known.discussion.slug, "--format", "attachments", "-o", str(path))
    names = zipfile.ZipFile(path).namelist()
    assert f"comment-{known.quoted.pk}/{known.attachment.pk}-position_paper.pdf" in names


def test_the_command_refuses_an_unknown_discussion_or_a_bundle_of_several(known, tmp_path):
    with pytest.raises(CommandError, match="No discussion"):
        _run("--discussion", "nope", "--format", "csv", "-o", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="exactly one discussion"):
        _run("--format", "json", "-o", str(tmp_path / "x.zip"))
    assert not list(tmp_path.glob("x.*"))


def _with_accounts(known):
    """Authors and a moderator with accounts, so that there are e-mail addresses to leave out."""
    from discussions.models import Comment
    from tests.factories import make_user

    Comment.objects.filter(pk=known.arabic.pk).update(author=make_user(email="leila.private@example.org"))
    Comment.objects.filter(pk=known.declined.pk).update(author=make_user(email="declined.private@example.org"))
    known.discussion.moderators.add(make_user(email="mod.private@example.org"))


def test_the_json_bundle_of_export_feedback_holds_the_selection_and_no_email(known, tmp_path):
    _with_accounts(known)
    path = tmp_path / "bundle.zip"
    _run("--discussion", known.discussion.slug, "--format", "json", "-o", str(path), "--priority", "np1")
    text = zipfile.ZipFile(path).read("consultation.json").decode()
    assert "@example.org" not in text
    assert [c["id"] for c in json.loads(text)["comments"]] == [f"c{known.chinese.pk}", f"c{known.quoted.pk}"]


def _consultation(path) -> dict:
    return json.loads(zipfile.ZipFile(path).read("consultation.json"))


def test_export_consultation_writes_email_addresses_only_with_include_emails(known, tmp_path):
    _with_accounts(known)
    out = io.StringIO()
    call_command("export_consultation", known.discussion.slug, "-o", str(tmp_path / "plain.zip"), stdout=out)
    assert "without e-mail addresses" in out.getvalue()
    plain = _consultation(tmp_path / "plain.zip")
    # Every comment, whatever its status, but nobody's e-mail address.
    assert len(plain["comments"]) == 6
    assert "@" not in json.dumps(plain)

    out = io.StringIO()
    call_command("export_consultation", known.discussion.slug, "-o", str(tmp_path / "full.zip"), "--include-emails",
                 stdout=out)
    assert "with e-mail addresses" in out.getvalue()
    full = _consultation(tmp_path / "full.zip")
    emails = {c["author"].get("email") for c in full["comments"]}
    assert {"leila.private@example.org", "declined.private@example.org"} <= emails
    assert [m.get("email") for m in full["discussion"]["moderators"]] == ["mod.private@example.org"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "attachments", "json"])
def test_the_command_draws_a_progress_bar_on_a_terminal_and_nothing_more_elsewhere(known, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    terminal = _Terminal()
    call_command("export_feedback", "--discussion", known.discussion.slug, "--format", fmt, "-o", str(path),
                 stdout=terminal)
    shown = terminal.getvalue()
    done = "1 of 1" if fmt in ("attachments", "json") else "5 of 5"  # one attachment; five published comments
    assert f"] {done} (100 %)\n" in shown
    assert shown.startswith("\r") and "[" + "#" * 30 + "]" in shown
    assert shown.rstrip().endswith("comments).")
    plain = _run("--discussion", known.discussion.slug, "--format", fmt, "-o", str(path))
    assert "\r" not in plain and "[" not in plain
    assert plain.count("\n") == 1


def test_export_consultation_draws_a_bar_for_its_attachments_on_a_terminal_only(known, tmp_path):
    terminal = _Terminal()
    call_command("export_consultation", known.discussion.slug, "-o", str(tmp_path / "b.zip"), stdout=terminal)
    assert "\rAttachments [" in terminal.getvalue() and "1 of 1 (100 %)" in terminal.getvalue()
    plain = io.StringIO()
    call_command("export_consultation", known.discussion.slug, "-o", str(tmp_path / "c.zip"), stdout=plain)
    assert "\r" not in plain.getvalue()
