"""The checks before anything is written: the schema, the references between records, the attachment files as
uploads, and lengths and numbers the columns can hold. Each refusal names the first problem by its place."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from discussions.interchange import InterchangeError, import_consultation_bundle
from tests.discussions.interchange.bundles import (
    EXAMPLE,
    PDF_PATH,
    assert_refused_and_nothing_written,
    delete_path,
    example_data,
    mutate,
    row_counts,
    set_path,
    write_folder,
)

pytestmark = pytest.mark.django_db


@mutate
def _author_without_organisation_or_badge(data):
    data["comments"][2]["author"].update(organisation=None, badge=None)


@mutate
def _swap_first_two_comments(data):
    data["comments"][0], data["comments"][1] = data["comments"][1], data["comments"][0]


def _missing_file(tmp_path):
    return write_folder(tmp_path / "bundle", example_data(), files={})


def _changed_file(tmp_path):
    return write_folder(tmp_path / "bundle", example_data(), files={PDF_PATH: b"%PDF-1.4 another file"})


INVALID = {
    "bad sha256": (set_path("comments.0.attachments.0.sha256", "0" * 64),
                   "comments[0].attachments[0].sha256: does not match the file 'attachments/position-paper.pdf'"),
    "sha256 of other bytes": (_changed_file, "comments[0].attachments[0].sha256: does not match the file"),
    "wrong size": (set_path("comments.0.attachments.0.size", 999),
                   "comments[0].attachments[0].size: 999 does not match the file 'attachments/position-paper.pdf' "
                   "(406 bytes)"),
    "missing attachment file": (_missing_file,
                                "comments[0].attachments[0].path: 'attachments/position-paper.pdf' is not a file in "
                                "the bundle"),
    "unknown comment status": (set_path("comments.1.status", "approved"),
                               "comments[1].status: 'approved' is not one of 'pending', 'published', 'declined', "
                               "'hidden'"),
    "unknown discussion status": (set_path("discussion.status", "running"),
                                  "discussion.status: 'running' is not one of"),
    "parent after its child": (_swap_first_two_comments, "comments[0].parent: 'c1' is not an earlier comment id"),
    "parent that does not exist": (set_path("comments.1.parent", "c9"),
                                   "comments[1].parent: 'c9' is not an earlier comment id"),
    "unknown question": (set_path("comments.0.question", "q9"),
                         "comments[0].question: 'q9' is not a question id of the file"),
    "reply naming another question": (set_path("comments.1.question", "q2"),
                                      "comments[1].question: 'q2' differs from the question of its parent 'c1'"),
    "duplicate comment id": (set_path("comments.1.id", "c1"), "comments[1].id: 'c1' is used twice in the file"),
    "comment id equal to a question id": (set_path("comments.3.id", "q1"), "comments[3].id: 'q1' is used twice"),
    "other format": (set_path("format", "other-format"), "format: must be 'hub-consultation', not 'other-format'"),
    "version as a string": (set_path("version", "1"), "version: must be 1, not '1'"),
    "missing required field": (delete_path("comments.2.body_html"), "comments[2].body_html: is required but missing"),
    "unknown top-level field": (set_path("extra", True), "extra: is not a field of this format"),
    "wrong type": (set_path("questions.1.order", True), "questions[1].order: must be an integer, not true"),
    "priority code pattern": (set_path("workplan.priorities.0.code", "XP1"),
                              "workplan.priorities[0].code: 'XP1' does not match the pattern ^(NP|OP)[0-9]+$"),
    "priority code not matching kind and number": (set_path("workplan.priorities.0.code", "NP2"),
                                                   "workplan.priorities[0].code: 'NP2' does not match kind 'new' and "
                                                   "number 1"),
    "comment naming an unknown priority": (set_path("comments.0.priorities", ["OP3", "OP9"]),
                                           "comments[0].priorities[1]: 'OP9' is not a priority code of the workplan"),
    "comment naming an unknown working group": (set_path("comments.2.working_groups", ["wg-nothing"]),
                                                "comments[2].working_groups[0]: 'wg-nothing' is not a working group"),
    "GCM objective out of range": (set_path("workplan.priorities.1.gcm_objectives", [24]),
                                   "workplan.priorities[1].gcm_objectives[0]: 24 is more than 23"),
    "time without offset": (set_path("comments.2.posted_at", "2025-09-20T10:00:00"),
                            "comments[2].posted_at: '2025-09-20T10:00:00' has no offset"),
    "not a time": (set_path("questions.0.posted_at", "1 September 2025"),
                   "questions[0].posted_at: '1 September 2025' is not an ISO 8601 date-time"),
    "bad discussion slug": (set_path("discussion.slug", "my discussion/1"),
                            "discussion.slug: 'my discussion/1' is not a slug"),
    "workplan slug mismatch": (set_path("discussion.workplan", "another-workplan"),
                               "discussion.workplan: 'another-workplan' is not the slug of the file's workplan"),
    "period the wrong way round": (set_path("workplan.period_end", 2020),
                                   "workplan.period_end: 2020 is before period_start 2025"),
    "organisation attribution without organisation or badge": (_author_without_organisation_or_badge,
                                                               "comments[2].author.organisation: is needed (or a "
                                                               "badge) when the attribution is 'organisation'"),
    "name too long for the column": (set_path("comments.0.author.name", "x" * 151),
                                     "comments[0].author.name: has 151 characters; at most 150 fit"),
}


@pytest.mark.parametrize("build, message", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_bundle_is_refused_with_its_first_problem_and_nothing_is_written(tmp_path, build, message):
    assert_refused_and_nothing_written(tmp_path, build, message)


def test_the_example_bundle_is_the_projects_own_copy():
    """The project never reads ../shared: the example and the schema it is checked against live in the repo."""
    from discussions.interchange import SCHEMA_PATH

    assert SCHEMA_PATH.is_relative_to(Path(settings.BASE_DIR))
    assert EXAMPLE.is_relative_to(Path(settings.BASE_DIR))


def test_the_strict_option_refuses_a_comment_whose_html_cleans_to_nothing(tmp_path):
    data = example_data()
    data["comments"][3]["body_html"] = "<script>alert(1)</script>"
    bundle = write_folder(tmp_path / "b", data)
    before = row_counts()
    with pytest.raises(InterchangeError, match=r"comments\[3\]\.body_html: has no content left once the HTML"):
        import_consultation_bundle(bundle, strict=True)
    with pytest.raises(CommandError, match=r"comments\[3\]\.body_html"):
        call_command("import_consultation", str(bundle), "--strict")
    assert row_counts() == before


HTML_PAGE = b"<!doctype html><script>alert(document.cookie)</script>"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize("filename, content, message", [
    ("page.html", HTML_PAGE, "is not a file type we accept"),
    ("report.pdf", HTML_PAGE, "is not a file type we accept"),
    ("report.pdf", PNG, "contains a PNG image file but its name says otherwise"),
])
def test_an_attachment_the_upload_checks_would_refuse_is_refused_with_their_message(tmp_path, filename, content,
                                                                                    message):
    data = example_data()
    attachment = data["comments"][0]["attachments"][0]
    attachment.update(filename=filename, path="attachments/file", sha256=hashlib.sha256(content).hexdigest(),
                      size=len(content))
    before = row_counts()
    with pytest.raises(InterchangeError, match=r"comments\[0\]\.attachments\[0\]: .*" + message):
        import_consultation_bundle(write_folder(tmp_path / "b", data, files={"attachments/file": content}))
    assert row_counts() == before


def test_an_attachment_over_the_sites_upload_limit_is_refused(tmp_path, settings):
    settings.HUB_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(InterchangeError, match=r"comments\[0\]\.attachments\[0\]\.path: 'attachments/position-paper"
                                               r"\.pdf' has 406 bytes; the site accepts attachments of at most 100"):
        import_consultation_bundle(EXAMPLE)


def test_numbers_too_large_for_the_file_or_the_database_are_refused_with_a_clear_error(tmp_path):
    before = row_counts()
    data = example_data()
    data["workplan"]["priorities"][0]["number"] = 10**30
    data["workplan"]["priorities"][0]["code"] = f"NP{10**30}"
    for comment in data["comments"]:
        comment["priorities"] = [f"NP{10**30}" if code == "NP1" else code for code in comment.get("priorities", [])]
    with pytest.raises(InterchangeError, match=r"workplan\.priorities\[0\]\.number: 1000000000000000000000000000000 "
                                               r"is more than 32767"):
        import_consultation_bundle(write_folder(tmp_path / "a", data))
    text = json.dumps(example_data()).replace('"order": 1', '"order": ' + "9" * 5000, 1)
    with pytest.raises(InterchangeError, match=r"consultation\.json: not a consultation file \(Exceeds the limit"):
        import_consultation_bundle(write_folder(tmp_path / "b", text))
    assert row_counts() == before

