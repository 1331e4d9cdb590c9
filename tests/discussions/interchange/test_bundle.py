"""Reading a bundle: a zip, a folder or an open file alike; what cannot be read safely is refused (names leaving
the bundle, damaged or doubled members, files that are not JSON or nest too deep), and nothing is written."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from discussions.interchange import InterchangeError, consultation_to_dict, import_consultation_bundle
from discussions.models import Attachment, Comment, Discussion
from tests.discussions.interchange.bundles import (
    EXAMPLE,
    PDF_PATH,
    assert_refused_and_nothing_written,
    example_data,
    normalised,
    row_counts,
    set_path,
    write_folder,
    write_zip,
)
from workplan.models import Workplan

pytestmark = pytest.mark.django_db


def test_a_zip_and_a_folder_import_alike(tmp_path):
    bundle = write_zip(tmp_path / "example.zip", example_data())
    import_consultation_bundle(bundle)
    from_zip = normalised(consultation_to_dict(Discussion.objects.get()))

    Discussion.objects.all().delete()
    Workplan.objects.all().delete()
    import_consultation_bundle(EXAMPLE)
    from_folder = normalised(consultation_to_dict(Discussion.objects.get()))

    assert from_zip == from_folder
    assert Attachment.objects.count() == 1


def test_an_open_zip_file_object_imports_too():
    buffer = io.BytesIO()
    write_zip(buffer, example_data())
    buffer.seek(0)
    import_consultation_bundle(buffer)
    assert Comment.objects.count() == 4


def _zip_with_traversal(tmp_path):
    files = {PDF_PATH: (EXAMPLE / PDF_PATH).read_bytes(), "../x": b"escape"}
    return write_zip(tmp_path / "evil.zip", example_data(), files)


def _zip_with_absolute_name(tmp_path):
    files = {PDF_PATH: (EXAMPLE / PDF_PATH).read_bytes(), "/etc/cron.d/x": b"escape"}
    return write_zip(tmp_path / "evil.zip", example_data(), files)


def _not_json(tmp_path):
    return write_folder(tmp_path / "bundle", "format: hub-consultation\nthis is not JSON")


def _not_a_zip(tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"%PDF-1.4 not a zip at all")
    return path


def _no_manifest(tmp_path):
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("example/consultation.json", json.dumps(example_data()))
    return path


def _corrupted_member(tmp_path):
    path = write_zip(tmp_path / "damaged.zip", example_data())
    raw = bytearray(path.read_bytes())
    at = raw.index(b"%PDF")  # stored uncompressed: flip a byte of the PDF so its CRC no longer matches
    raw[at + 10] ^= 0xFF
    path.write_bytes(bytes(raw))
    return path


def _duplicate_member(tmp_path):
    path = write_zip(tmp_path / "twice.zip", example_data())
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as bundle:
        bundle.writestr(PDF_PATH, b"%PDF-1.4 a second file under the same name")
    return path


def _outside_symlink(tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes((EXAMPLE / PDF_PATH).read_bytes())
    root = write_folder(tmp_path / "bundle", example_data(), files={})
    (root / "attachments").mkdir()
    (root / PDF_PATH).symlink_to(secret)
    return root


INVALID = {
    "attachment path leaving the folder": (
        set_path("comments.0.attachments.0.path", "../example/attachments/x.pdf"),
        "comments[0].attachments[0].path: '../example/attachments/x.pdf' is not a plain relative path inside the "
        "bundle"),
    "attachment behind a symlink out of the folder": (_outside_symlink,
                                                      "comments[0].attachments[0].path: 'attachments/position-paper.pdf'"
                                                      " is not a file in the bundle"),
    "zip with a ../ name": (_zip_with_traversal,
                            "the zip entry '../x' is not a plain relative path inside the bundle"),
    "zip with an absolute name": (_zip_with_absolute_name,
                                  "the zip entry '/etc/cron.d/x' is not a plain relative path"),
    "damaged zip member": (_corrupted_member,
                           "attachments/position-paper.pdf: cannot be read from the bundle (Bad CRC-32"),
    "zip holding a name twice": (_duplicate_member, "the zip holds 'attachments/position-paper.pdf' twice"),
    "not JSON": (_not_json, "consultation.json: not valid JSON (line 1, column 1"),
    "not a zip": (_not_a_zip, "not a readable zip file"),
    "no consultation.json at the root": (_no_manifest, "no consultation.json at the root of the bundle"),
}


@pytest.mark.parametrize("build, message", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_bundle_is_refused_with_its_first_problem_and_nothing_is_written(tmp_path, build, message):
    assert_refused_and_nothing_written(tmp_path, build, message)


def test_a_deeply_nested_file_is_refused_with_a_clear_error_not_a_recursion_trace(tmp_path):
    depth = 200_000
    deep = "[" * depth + "]" * depth
    before = row_counts()
    with pytest.raises(InterchangeError, match=r"consultation\.json: nested more than 64 levels deep"):
        import_consultation_bundle(write_folder(tmp_path / "a", deep))
    with pytest.raises(CommandError, match="Nothing imported. consultation.json: nested more than 64 levels deep"):
        call_command("import_consultation", str(write_folder(tmp_path / "b", deep)), "--check")
    # Nesting the parser copes with, hidden in a field the schema does not describe, is refused all the same.
    data = example_data()
    nested: list = []
    for _ in range(500):
        nested = [nested]
    data["comments"][0]["author"]["extra"] = nested
    with pytest.raises(InterchangeError, match="nested more than 64 levels deep"):
        import_consultation_bundle(write_folder(tmp_path / "c", data))
    assert row_counts() == before

