"""Attachments: the type is read from the bytes, sizes and counts are limited, downloads are guarded."""
from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from discussions import uploads
from discussions.models import Attachment, Comment
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


def test_a_file_over_ten_megabytes_is_refused_with_its_size(settings):
    big = upload("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="at most 10"):
        uploads.check_file(big)


def test_at_most_three_files_per_comment():
    files = [upload(f"p{i}.pdf", minimal_pdf()) for i in range(4)]
    with pytest.raises(ValidationError, match="at most 3"):
        uploads.check_files(files)


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
