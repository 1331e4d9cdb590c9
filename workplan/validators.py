"""Checks on the workplan document upload: only PDF or DOCX, recognised by content as well as by name."""
from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# A file's first bytes, which a renamed file cannot fake as easily as its extension.
SIGNATURES = {".pdf": (b"%PDF-",), ".docx": (b"PK\x03\x04",)}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@deconstructible
class DocumentValidator:
    """A PDF or Word (DOCX) file of at most 20 MB whose content matches its extension."""

    def __call__(self, upload) -> None:
        extension = PurePath(upload.name or "").suffix.lower()
        if extension not in SIGNATURES:
            raise ValidationError(_("Upload the workplan as a PDF or a Word (.docx) file."), code="extension")
        if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(_("The document is larger than 20 MB."), code="size")
        position = upload.tell() if hasattr(upload, "tell") else 0
        upload.seek(0)
        head = upload.read(8)
        upload.seek(position)
        if not any(head.startswith(signature) for signature in SIGNATURES[extension]):
            raise ValidationError(_("This file is not a valid %(kind)s document.") % {"kind": extension[1:].upper()},
                                  code="content")

    def __eq__(self, other) -> bool:
        return isinstance(other, DocumentValidator)


validate_workplan_document = DocumentValidator()
