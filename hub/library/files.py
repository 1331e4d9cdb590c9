"""Files attached to resources. They pass the site-wide upload checker (`hub.uploads.check_file`: the type read
from the bytes and matching the name, the size limited), narrowed to the formats a library keeps.

A file that passed the checks on a form that failed for another reason is kept (staged) and offered again, so
that nobody has to choose it twice; each person keeps at most one such file waiting.
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


def max_bytes() -> int:
    """HUB_LIBRARY_MAX_BYTES (20 MB by default: reports run longer than comment attachments)."""
    return int(settings.HUB_LIBRARY_MAX_BYTES)


def check_resource_file(upload) -> CheckedFile:
    """A PDF, Word (DOCX), OpenDocument text, Excel (XLSX), PNG or JPEG file within the library's size limit."""
    return check_file(upload, kinds=RESOURCE_KINDS, limit=max_bytes())


_STAGE_DIR = "library/staged"
_SESSION_KEY = "library_staged_files"


def _folder(request) -> str:
    return f"{_STAGE_DIR}/{request.user.pk}"


def _drop_all(request) -> None:
    """Remove every file this person keeps staged, in any session: one waiting file per person at most."""
    folder = _folder(request)
    try:
        _dirs, names = default_storage.listdir(folder)
    except FileNotFoundError:
        names = []
    for name in names:
        default_storage.delete(f"{folder}/{name}")
    request.session[_SESSION_KEY] = {}


def stage(request, checked: CheckedFile) -> CheckedFile:
    """Keep a checked file for this person until their next attempt; returns it with its token set. Only signed-in
    people with a complete profile reach a library form, and each keeps one waiting file at most (staging a new
    one drops the previous), so what waits in storage is bounded by the number of submitters."""
    if checked.token and staged_file(request, checked.token) is not None:
        return checked
    _drop_all(request)
    checked.token = uuid.uuid4().hex
    path = default_storage.save(f"{_folder(request)}/{checked.token}", File(io.BytesIO(checked.data)))
    request.session[_SESSION_KEY] = {checked.token: {"path": path, "name": checked.name,
                                                     "content_type": checked.content_type, "sha256": checked.sha256}}
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
    """Forget the staged file once it is saved with its resource (or abandoned)."""
    if token and token in request.session.get(_SESSION_KEY, {}):
        _drop_all(request)
