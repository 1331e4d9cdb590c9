"""Text of attached PDF, DOCX and ODT files: read within limits, and a file that cannot be read is logged, never
fatal."""
from __future__ import annotations

import hashlib
import io
import logging
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from hub.search import extraction
from hub.search.extraction import DOCX, ODT, PDF, FileRef, extract_text, texts_for
from hub.search.models import ExtractedText
from tests.factories import minimal_pdf


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def docx_bytes(*paragraphs: str, table: list[list[str]] = ()) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(body_xml: str, *, prolog: str = "") -> bytes:
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               f'{body_xml}</office:text></office:body></office:document-content>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def two_page_pdf(first: str, second: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for text in (first, second):
        writer.add_page(PdfReader(io.BytesIO(minimal_pdf(text))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_text_of_a_pdf_is_extracted(tmp_path):
    path = write(tmp_path, "paper.pdf", minimal_pdf("Portable social protection for seasonal workers"))
    assert extract_text(path, PDF) == "Portable social protection for seasonal workers"


def test_the_paragraphs_and_tables_of_a_docx_are_extracted(tmp_path):
    path = write(tmp_path, "paper.docx", docx_bytes("Skills recognition matters.", "Second paragraph.",
                                                    table=[["Cell about remittances", "Other cell"]]))
    text = extract_text(path, DOCX)
    assert "Skills recognition matters." in text and "Second paragraph." in text
    assert "Cell about remittances" in text


def test_the_paragraphs_and_headings_of_an_odt_are_extracted(tmp_path):
    path = write(tmp_path, "paper.odt", odt_bytes("<text:h>Our position</text:h><text:p>Labour <text:span>mobility"
                                                   "</text:span> partnerships.</text:p>"))
    assert extract_text(path, ODT) == "Our position\nLabour mobility partnerships."


def test_other_types_give_no_text(tmp_path):
    path = write(tmp_path, "photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert extract_text(path, "image/png") == ""


@pytest.mark.parametrize("name, data, content_type", [
    ("broken.pdf", b"%PDF-1.4\nthis is not really a PDF at all", PDF),
    ("truncated.pdf", minimal_pdf("Cut short")[:120], PDF),
    ("broken.docx", b"PK\x03\x04 not a zip", DOCX),
    ("empty.docx", b"", DOCX),
    ("broken.odt", b"PK\x03\x04 not a zip either", ODT),
    ("not-xml.odt", None, ODT),
])
def test_a_file_that_cannot_be_read_gives_no_text_and_is_logged(tmp_path, caplog, name, data, content_type):
    if data is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("content.xml", "<unclosed")
        data = out.getvalue()
    path = write(tmp_path, name, data)
    with caplog.at_level(logging.WARNING, logger="hub.search.extraction"):
        assert extract_text(path, content_type) == ""
    assert f"Could not extract the text of {name}" in caplog.text


def test_a_password_protected_pdf_gives_no_text_and_is_logged(tmp_path, caplog):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(minimal_pdf("Confidential remarks"))).pages[0])
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    path = write(tmp_path, "locked.pdf", out.getvalue())
    with caplog.at_level(logging.WARNING, logger="hub.search.extraction"):
        assert extract_text(path, PDF) == ""
    assert "password" in caplog.text


def test_a_pdf_is_read_up_to_the_page_limit(tmp_path, settings):
    settings.HUB_SEARCH_EXTRACT_MAX_PAGES = 1
    path = write(tmp_path, "two.pdf", two_page_pdf("First page words", "Second page words"))
    assert extract_text(path, PDF) == "First page words"


def test_the_text_kept_is_cut_at_the_character_limit(tmp_path, settings):
    settings.HUB_SEARCH_EXTRACT_MAX_CHARS = 20
    path = write(tmp_path, "long.docx", docx_bytes("A" * 15, "B" * 15, "C" * 15))
    text = extract_text(path, DOCX)
    assert len(text) <= 21 and text.startswith("A" * 15) and "C" not in text


def test_an_odt_whose_text_inflates_past_the_limit_is_refused_before_it_is_inflated(tmp_path, settings, caplog):
    settings.HUB_SEARCH_EXTRACT_MAX_XML_BYTES = 10_000
    path = write(tmp_path, "bomb.odt", odt_bytes("<text:p>" + "a" * 50_000 + "</text:p>"))
    assert zipfile.ZipFile(path).getinfo("content.xml").file_size > 10_000
    with caplog.at_level(logging.WARNING, logger="hub.search.extraction"):
        assert extract_text(path, ODT) == ""
    assert "larger than the extraction limit" in caplog.text


def test_a_docx_whose_parts_inflate_past_the_limit_is_refused(tmp_path, settings, caplog):
    settings.HUB_SEARCH_EXTRACT_MAX_UNZIPPED_BYTES = 100_000
    data = io.BytesIO(docx_bytes("Small text"))
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr("word/media/huge.bin", b"\0" * 1_000_000, compress_type=zipfile.ZIP_DEFLATED)
    path = write(tmp_path, "bomb.docx", data.getvalue())
    with caplog.at_level(logging.WARNING, logger="hub.search.extraction"):
        assert extract_text(path, DOCX) == ""
    assert "larger than the extraction limit" in caplog.text


def test_entities_in_an_odt_are_not_expanded(tmp_path):
    laughs = ('<!DOCTYPE d [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    path = write(tmp_path, "laughs.odt", odt_bytes("<text:p>Before &c; after</text:p>", prolog=laughs))
    text = extract_text(path, ODT)
    assert "haha" not in text


def stored(data: bytes, name: str, content_type: str) -> FileRef:
    saved = default_storage.save(f"attachments/test/{name}", ContentFile(data))
    return FileRef(hashlib.sha256(data).hexdigest(), saved, content_type)


@pytest.mark.django_db
def test_each_file_is_read_once_and_its_text_kept(monkeypatch):
    ref = stored(minimal_pdf("Circular migration schemes"), "paper.pdf", PDF)
    assert texts_for([ref]) == {ref.sha256: "Circular migration schemes"}
    monkeypatch.setattr(extraction, "_extract", lambda *args: pytest.fail("read again"))
    assert texts_for([ref]) == {ref.sha256: "Circular migration schemes"}
    assert ExtractedText.objects.get().ok


@pytest.mark.django_db
def test_a_failed_extraction_is_kept_with_its_reason_and_not_tried_again(caplog, monkeypatch):
    ref = stored(b"%PDF-1.4 garbage", "broken.pdf", PDF)
    with caplog.at_level(logging.WARNING, logger="hub.search.extraction"):
        assert texts_for([ref]) == {ref.sha256: ""}
    kept = ExtractedText.objects.get()
    assert not kept.ok and kept.error
    monkeypatch.setattr(extraction, "_extract", lambda *args: pytest.fail("read again"))
    assert texts_for([ref]) == {ref.sha256: ""}


@pytest.mark.django_db
def test_a_missing_file_is_logged_and_gives_no_text(caplog):
    ref = FileRef("0" * 64, "attachments/nowhere.pdf", PDF)
    with caplog.at_level(logging.WARNING, logger="hub.search.extraction"):
        assert texts_for([ref]) == {ref.sha256: ""}
    assert "attachments/nowhere.pdf" in caplog.text
