"""Attachments: the type is read from the bytes, sizes and counts are limited, downloads are guarded."""
from __future__ import annotations

import io
import os
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from discussions import uploads
from hub import uploads as hub_uploads
from discussions.models import Attachment, Comment
from tests import zipbombs
from tests.factories import make_attachment, make_comment, make_question, make_user, minimal_pdf

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
OLE_WORD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "WordDocument".encode("utf-16-le") + b"\x00" * 50
OLE_OTHER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zip_with({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_with({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zip_with({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("name, data, content_type", [
    ("paper.pdf", minimal_pdf(), "application/pdf"),
    ("photo.png", PNG, "image/png"),
    ("photo.JPG", JPEG, "image/jpeg"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("old.doc", OLE_WORD, "application/msword"),
    ("new.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("sheet.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("text.odt", ODT, "application/vnd.oasis.opendocument.text"),
])
def test_each_allowed_type_is_recognised_from_its_bytes(name, data, content_type):
    checked = uploads.check_file(upload(name, data, "text/html"))  # what the browser claims is ignored
    assert checked.content_type == content_type and checked.size == len(data)


@pytest.mark.parametrize("name, data", [
    ("paper.pdf", PNG),  # a PNG dressed as a PDF
    ("photo.png", minimal_pdf()),
    ("new.docx", XLSX),
    ("sheet.xlsx", DOCX),
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60),
    ("archive.docx", zip_with({"readme.txt": b"hello"})),  # a zip without Word's members
    ("slides.doc", OLE_OTHER),  # an OLE2 file without a Word stream
    ("broken.docx", b"PK\x03\x04 not really a zip"),
    ("empty.pdf", b""),
])
def test_files_whose_bytes_do_not_match_an_allowed_type_and_name_are_refused(name, data):
    with pytest.raises(ValidationError):
        uploads.check_file(upload(name, data))


# --- Zip-based documents: recognised from the archive's directory, never unpacked ---------------------------------

MB = 1024 * 1024


def refusal(name: str, data: bytes) -> str:
    """The message refusing the file (sizes written with plain spaces)."""
    with pytest.raises(ValidationError) as refused:
        uploads.check_file(upload(name, data))
    [message] = refused.value.messages
    return message.replace("\xa0", " ")


@pytest.fixture
def member_reads(monkeypatch) -> list[tuple[str, int]]:
    """(member, bytes) for every read zipfile answers from inside an archive, however it is asked for."""
    reads = []
    original = zipfile.ZipExtFile.read

    def read(self, n=-1):
        data = original(self, n)
        reads.append((self.name, len(data)))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    return reads


def test_an_odt_as_office_programs_write_it_is_accepted_and_its_mimetype_read_within_a_few_hundred_bytes(
        member_reads):
    # LibreOffice: "mimetype" stored first without a data descriptor, the other members deflated with one.
    odt = zipbombs.odt(data_descriptor=True)
    assert uploads.check_file(upload("notes.odt", odt)).content_type == "application/vnd.oasis.opendocument.text"
    assert member_reads and all(name == "mimetype" for name, _n in member_reads)
    assert sum(n for _name, n in member_reads) <= 256


def test_a_spreadsheet_written_by_openpyxl_is_accepted():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Priority 3: decent work"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert uploads.check_file(upload("sheet.xlsx", buffer.getvalue())).content_type.endswith("spreadsheetml.sheet")


@pytest.mark.parametrize("method", [zipbombs.DEFLATED, zipbombs.BZIP2, zipbombs.LZMA], ids=["deflate", "bzip2", "lzma"])
def test_an_odt_whose_mimetype_unpacks_to_megabytes_is_refused_without_being_unpacked(member_reads, method):
    bomb = zipbombs.odt_mimetype_bomb(8 * MB, method)
    with pytest.raises(ValidationError, match="“bomb.odt” cannot be accepted: a part inside it is packed more than "
                                              "100 times tighter"):
        uploads.check_file(upload("bomb.odt", bomb))
    assert sum(n for _name, n in member_reads) == 0


def test_an_odt_whose_stored_mimetype_is_long_is_refused_after_reading_at_most_a_few_hundred_bytes(member_reads):
    mimetype = b"application/vnd.oasis.opendocument.text" + b" " * 50_000
    long_mimetype = zipbombs.build([zipbombs.packed("mimetype", mimetype),
                                    zipbombs.packed("content.xml", b"<office:document-content/>")])
    with pytest.raises(ValidationError, match="“long.odt” cannot be accepted: an OpenDocument file must begin"):
        uploads.check_file(upload("long.odt", long_mimetype))
    assert sum(n for _name, n in member_reads) <= 256


@pytest.mark.parametrize("odt", [
    zipbombs.odt(mimetype_method=zipbombs.DEFLATED),  # the format requires it stored, so that it can be read raw
    zipbombs.odt(mimetype_first=False),
])
def test_an_odt_whose_mimetype_is_compressed_or_not_first_is_refused_with_a_message_naming_it(odt):
    with pytest.raises(ValidationError) as refused:
        uploads.check_file(upload("notes.odt", odt))
    assert refused.value.messages == [
        "“notes.odt” cannot be accepted: an OpenDocument file must begin with its “mimetype”, short and "
        "uncompressed, and this one does not. Save it again with your office program, or as PDF."]


def test_a_docx_whose_document_unpacks_to_megabytes_is_refused_without_being_unpacked(member_reads):
    with pytest.raises(ValidationError, match="“bomb.docx” cannot be accepted: a part inside it is packed more than "
                                              "100 times tighter"):
        uploads.check_file(upload("bomb.docx", zipbombs.docx_document_bomb(4 * MB)))
    assert member_reads == []


@pytest.mark.parametrize("shape, message", [
    (lambda: zipbombs.docx_directory_overstates(2 * 1024 * MB),
     "a part inside it unpacks to 2.0 GB; parts may be at most 100.0 MB."),
    (lambda: zipbombs.odt_mimetype_declared_huge(150 * MB), "a part inside it unpacks to 150.0 MB"),
    (lambda: zipbombs.docx_directory_understates(2 * MB), "its table of contents does not match the parts it holds."),
    (lambda: zipbombs.docx_overlapping(3, 1000), "parts inside it overlap"),
    (lambda: zipbombs.build([zipbombs.packed("[Content_Types].xml", b"<Types/>"),
                             zipbombs.packed("word/document.xml", b"<w:document/>"),
                             zipbombs.packed("word/document.xml", b"<w:document>other</w:document>")]),
     "it holds two parts of the same name"),
])
def test_a_zip_whose_directory_makes_absurd_or_contradictory_claims_is_refused(shape, message):
    assert refusal("x.docx", shape()).startswith(f"“x.docx” cannot be accepted: {message}")


def test_all_members_together_may_not_declare_more_than_the_total_limit(monkeypatch):
    monkeypatch.setattr(hub_uploads, "ZIP_MAX_TOTAL_BYTES", 2 * MB)
    members = [zipbombs.packed("[Content_Types].xml", b"<Types/>"), zipbombs.packed("word/document.xml", b"<w/>")]
    members += [zipbombs.packed(f"word/media/image{i}.png", bytes(range(256)) * 4096) for i in range(3)]  # 1 MB each
    assert refusal("x.docx", zipbombs.build(members)) == (
        "“x.docx” cannot be accepted: it unpacks to 3.0 MB; documents may unpack to at most 2.0 MB.")


@pytest.mark.parametrize("shape", [zipbombs.docx_many_members, zipbombs.docx_directory_only_members])
def test_a_zip_with_more_members_than_documents_have_is_refused_before_its_directory_is_read(monkeypatch, shape):
    monkeypatch.setattr(hub_uploads, "ZIP_MAX_MEMBERS", 50)
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: pytest.fail("directory read"))
    with pytest.raises(ValidationError, match="“many.docx” cannot be accepted: it holds more than 50 files inside"):
        uploads.check_file(upload("many.docx", shape(60)))


def test_a_zip_whose_table_of_contents_is_bigger_than_documents_need_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(hub_uploads, "ZIP_MAX_DIRECTORY_BYTES", 100 * 1024)
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: pytest.fail("directory read"))
    assert refusal("fat.docx", zipbombs.docx_fat_directory(100, 1024)).startswith(
        "“fat.docx” cannot be accepted: its table of contents alone takes 105.")


def test_the_table_of_contents_of_a_zip64_archive_is_measured_from_its_zip64_record(monkeypatch):
    buffer = io.BytesIO()
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 0)  # every size written in zip64 form
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>" * 100, zipfile.ZIP_DEFLATED)
    monkeypatch.undo()
    data = bytearray(buffer.getvalue())
    end = data.rindex(b"PK\x05\x06")
    real_size = int.from_bytes(data[end + 12:end + 16], "little")
    data[end + 12:end + 16] = b"\xff\xff\xff\xff"  # as a writer of a larger archive would put it
    assert hub_uploads._directory_size(bytes(data)) == real_size
    assert uploads.check_file(upload("zip64.docx", bytes(data))).content_type.endswith("wordprocessingml.document")


def test_a_document_carrying_a_zip_is_judged_by_its_own_directory_and_the_inner_zip_is_not_opened(member_reads):
    docx = zipbombs.docx_with_nested_bomb(4 * MB)
    assert uploads.check_file(upload("nested.docx", docx)).content_type.endswith("wordprocessingml.document")
    assert member_reads == []


def test_check_content_judges_bytes_from_elsewhere_under_a_cleaned_name():
    checked = uploads.check_content("bundle/files/../Position paper.pdf", minimal_pdf())
    assert checked.name == "Position paper.pdf" and checked.content_type == "application/pdf"
    with pytest.raises(ValidationError, match="“bomb.odt” cannot be accepted"):
        uploads.check_content("bomb.odt", zipbombs.odt_mimetype_bomb(2 * MB))


def test_a_file_over_ten_megabytes_is_refused_with_its_size(settings):
    big = upload("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="at most 10"):
        uploads.check_file(big)


def test_at_most_three_files_per_comment():
    files = [upload(f"p{i}.pdf", minimal_pdf()) for i in range(4)]
    checked, errors, _repeated = uploads.sort_files(files)
    assert checked == [] and any("at most 3" in error for error in errors)


def test_folder_parts_of_a_name_are_dropped():
    assert uploads.clean_name("C:\\Users\\me\\Desktop\\paper.pdf") == "paper.pdf"
    assert uploads.clean_name("../../etc/passwd.pdf") == "passwd.pdf"


def test_posting_with_a_pdf_stores_it_under_a_random_name_with_its_checksum(client):
    question = make_question()
    client.force_login(make_user())
    data = minimal_pdf("Our position")
    client.post(reverse("discussions:comment-create", args=[question.discussion.slug]), {
        "question": question.pk, "body": "See attached.", "submission_key": str(uuid.uuid4()), "action": "post",
        "files": [upload("Our position paper.pdf", data, "application/pdf")],
    })
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Our position paper.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(data)
    assert "position" not in attachment.file.name and attachment.file.name.startswith("attachments/")
    import hashlib
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


def test_a_bad_file_gets_a_clear_message_and_keeps_the_text_typed(client):
    question = make_question()
    client.force_login(make_user())
    response = client.post(reverse("discussions:comment-create", args=[question.discussion.slug]), {
        "question": question.pk, "body": "My long considered answer.", "submission_key": str(uuid.uuid4()),
        "action": "post", "files": [upload("paper.pdf", PNG, "application/pdf")],
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "contains a PNG image file but its name says otherwise" in page
    assert "My long considered answer." in page
    assert not Comment.objects.exists()


def test_a_good_file_is_kept_when_another_is_refused_and_attached_on_the_next_post(client):
    question = make_question()
    client.force_login(make_user())
    url = reverse("discussions:comment-create", args=[question.discussion.slug])
    key = str(uuid.uuid4())
    response = client.post(url, {"question": question.pk, "body": "Text", "submission_key": key, "action": "post",
                                 "files": [upload("good.pdf", minimal_pdf()), upload("bad.pdf", PNG)]})
    assert response.status_code == 400
    token = response.context["staged"][0].token
    assert "good.pdf" in response.content.decode()
    client.post(url, {"question": question.pk, "body": "Text", "submission_key": key, "action": "post",
                      "staged": [token]})
    assert [a.original_name for a in Attachment.objects.all()] == ["good.pdf"]


def test_a_published_comments_file_downloads_as_an_attachment_with_nosniff(client):
    attachment = make_attachment(comment=make_comment(), name="Position “final”.pdf")
    response = client.get(reverse("discussions:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Position%20%E2%80%9Cfinal%E2%80%9D.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_behind_nginx_a_download_is_handed_to_nginx_after_the_permission_check(client, settings):
    settings.HUB_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    attachment = make_attachment(comment=make_comment(), name="Position “final”.pdf")
    response = client.get(reverse("discussions:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + attachment.file.name
    assert response.content == b""  # nginx sends the bytes
    assert "filename*=UTF-8''Position%20%E2%80%9Cfinal%E2%80%9D.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    pending = make_attachment(comment=make_comment(status="pending"))
    refused = client.get(reverse("discussions:attachment-download", args=[pending.pk]))
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


@pytest.mark.parametrize("status", ["pending", "declined", "hidden", "withdrawn"])
def test_an_unpublished_comments_file_is_only_for_its_author_and_moderators(client, status):
    author = make_user()
    moderator = make_user()
    comment = make_comment(author=author, status=status)
    comment.discussion.moderators.add(moderator)
    attachment = make_attachment(comment=comment)
    url = reverse("discussions:attachment-download", args=[attachment.pk])
    assert client.get(url).status_code == 404
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.force_login(author)
    assert client.get(url).status_code == 200
    client.force_login(moderator)
    assert client.get(url).status_code == 200


# --- Staged files: kept between a preview and the post, capped per person, purged when stale -----------------------

def staged_in_storage(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "attachments" / "staged"
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_files_waiting_for_one_person_are_capped_across_sessions_and_a_form_naming_a_dropped_one_says_so(settings):
    settings.HUB_ATTACHMENT_MAX_FILES = 2
    question = make_question()
    user = make_user()
    url = reverse("discussions:comment-create", args=[question.discussion.slug])
    first, second = Client(), Client()  # one person, two browsers
    first.force_login(user)
    second.force_login(user)
    form = {"question": question.pk, "body": "Text", "submission_key": str(uuid.uuid4())}
    response = first.post(url, {**form, "action": "preview",
                                "files": [upload("a.pdf", minimal_pdf()), upload("b.pdf", minimal_pdf())]})
    a, b = response.context["staged"]
    an_hour_ago = time.time() - 3600
    os.utime(Path(settings.MEDIA_ROOT) / "attachments" / "staged" / str(user.pk) / a.token, (an_hour_ago, an_hour_ago))
    response = second.post(url, {**form, "action": "preview", "files": [upload("c.pdf", minimal_pdf())]})
    [c] = response.context["staged"]
    assert staged_in_storage(settings) == sorted(f"{user.pk}/{f.token}" for f in (b, c))

    response = first.post(url, {**form, "action": "post", "staged": [a.token, b.token]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“a.pdf”, chosen earlier, is no longer kept on the server; please choose it again." in page
    assert [f.name for f in response.context["staged"]] == ["b.pdf"] and not Comment.objects.exists()
    response = first.post(url, {**form, "action": "post", "staged": [b.token]})
    assert response.status_code == 302
    assert [a.original_name for a in Attachment.objects.all()] == ["b.pdf"]
    assert staged_in_storage(settings) == [f"{user.pk}/{c.token}"]


def test_staging_never_drops_the_files_of_the_form_being_sent(client, settings):
    settings.HUB_ATTACHMENT_MAX_FILES = 2
    question = make_question()
    client.force_login(make_user())
    url = reverse("discussions:comment-create", args=[question.discussion.slug])
    form = {"question": question.pk, "body": "Text", "submission_key": str(uuid.uuid4()), "action": "preview"}
    [kept] = client.post(url, {**form, "files": [upload("a.pdf", minimal_pdf())]}).context["staged"]
    response = client.post(url, {**form, "staged": [kept.token], "files": [upload("b.pdf", minimal_pdf())]})
    assert [f.name for f in response.context["staged"]] == ["a.pdf", "b.pdf"]
    assert len(staged_in_storage(settings)) == 2


def test_a_request_with_more_than_ten_files_is_refused_before_any_view_reads_it(client, settings):
    question = make_question()
    client.force_login(make_user())
    response = client.post(reverse("discussions:comment-create", args=[question.discussion.slug]), {
        "question": question.pk, "body": "Text", "submission_key": str(uuid.uuid4()), "action": "post",
        "files": [upload(f"p{i}.pdf", minimal_pdf()) for i in range(11)],
    })
    assert response.status_code == 400
    assert "You can attach at most" not in response.content.decode()  # Django refused it before the view ran
    assert staged_in_storage(settings) == [] and not Comment.objects.exists()


def test_a_file_name_loses_its_control_characters_so_it_can_be_sent_in_a_header():
    assert hub_uploads.clean_name("report\r\nSet-Cookie: x\t\x85.pdf") == "reportSet-Cookie: x.pdf"
    assert hub_uploads.clean_name("\x00\x1f") == "attachment"
