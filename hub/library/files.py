"""Files attached to resources. They pass the site-wide upload checker (`hub.uploads.check_file`: the type read
from the bytes and matching the name, the size limited), narrowed to the formats a library keeps.

A file that passed the checks on a form that failed for another reason is kept for the session (staged) and
offered again, so that nobody has to choose it twice.
"""
from __future__ import annotations

import hashlib
import io
import uuid

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage

from hub.uploads import CheckedFile, accept_attribute, check_file

RESOURCE_KINDS = ("pdf", "docx", "odt", "xlsx", "png", "jpeg")
ACCEPT = accept_attribute(RESOURCE_KINDS)
MAX_BYTES = 20 * 1024 * 1024  # reports run longer than comment attachments


def max_bytes() -> int:
    """HUB_LIBRARY_MAX_BYTES, 20 MB unless set."""
    return int(getattr(settings, "HUB_LIBRARY_MAX_BYTES", MAX_BYTES))


def check_resource_file(upload) -> CheckedFile:
    """A PDF, Word (DOCX), OpenDocument text, Excel (XLSX), PNG or JPEG file within the library's size limit."""
    return check_file(upload, kinds=RESOURCE_KINDS, limit=max_bytes())


_STAGE_DIR = "library/staged"
_SESSION_KEY = "library_staged_files"


def stage(request, checked: CheckedFile) -> CheckedFile:
    """Keep a checked file for this session; returns it with its token set."""
    if checked.token:
        return checked
    staged = request.session.get(_SESSION_KEY, {})
    checked.token = uuid.uuid4().hex
    path = default_storage.save(f"{_STAGE_DIR}/{checked.token}", File(io.BytesIO(checked.data)))
    staged[checked.token] = {"path": path, "name": checked.name, "content_type": checked.content_type,
                             "sha256": checked.sha256}
    request.session[_SESSION_KEY] = staged
    return checked


def staged_file(request, token: str) -> CheckedFile | None:
    """The staged file named by `token` if it belongs to this session and is intact, else None."""
    meta = request.session.get(_SESSION_KEY, {}).get(token or "")
    if not meta or not default_storage.exists(meta["path"]):
        return None
    with default_storage.open(meta["path"], "rb") as handle:
        data = handle.read(max_bytes() + 1)
    if len(data) > max_bytes() or hashlib.sha256(data).hexdigest() != meta["sha256"]:
        return None
    return CheckedFile(name=meta["name"], content_type=meta["content_type"], size=len(data), sha256=meta["sha256"],
                       data=data, token=token)


def unstage(request, token: str) -> None:
    """Forget a staged file once it is saved with its resource (or abandoned)."""
    staged = request.session.get(_SESSION_KEY, {})
    meta = staged.pop(token or "", None)
    if meta:
        default_storage.delete(meta["path"])
        request.session[_SESSION_KEY] = staged
