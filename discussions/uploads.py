"""Comment attachments: how many a comment takes, and staging between a preview and the post.

Each file is checked by the site-wide checker, `hub.uploads` (the type read from the bytes and matching the name;
zip-based documents judged from their directory, decompression bombs refused); its names are re-exported here for
the views and the importer. Checked files can be staged (kept in storage
between a preview and the final post) so that nobody has to choose them again; what one person keeps staged is
capped, and `purge_stale_staged` (the purge_staged_uploads command) removes what was left behind.
"""
from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.uploads import (  # noqa: F401 (re-exported: the comment views and the importer check files through here)
    ACCEPT,
    KINDS,
    TYPE_NAMES,
    CheckedFile,
    RefusedArchive,
    check_content,
    check_file,
    clean_name,
    detect_kind,
    max_bytes,
)

MAX_FILES = 3


def max_files() -> int:
    return int(getattr(settings, "HUB_ATTACHMENT_MAX_FILES", MAX_FILES))


def sort_files(uploads, *, already: int = 0, present=()) -> tuple[list[CheckedFile], list[str], list[str]]:
    """The uploads that pass, a message for each that does not (or for too many files in all), and a notice for
    each that is already attached or staged: the same name and the same content (the sha256 computed here), given
    as `present` (objects with `name`/`original_name` and `sha256`). A repeated file is left out, not counted
    against the limit and not an error: the person chose it twice, and it is attached once."""
    uploads = [u for u in uploads if u]
    if not uploads:
        return [], [], []
    present = list(present)
    too_many = [_("You can attach at most %(n)d files to a comment.") % {"n": max_files()}]
    if already + len(uploads) > max_files() + len(present):
        return [], too_many, []  # more than fit even if every one repeats a file already there: nothing is read
    seen = {file_identity(f) for f in present}
    errors, checked, repeated = [], [], []
    for upload in uploads:
        try:
            candidate = check_file(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if file_identity(candidate) in seen:
            repeated.append(_("“%(name)s” is already attached.") % {"name": candidate.name})
            continue
        seen.add(file_identity(candidate))
        checked.append(candidate)
    if already + len(checked) > max_files():
        return [], too_many, repeated
    return checked, errors, repeated


def file_identity(file) -> tuple[str, str]:
    """What makes two files the same attachment: the same name and the same content."""
    return (getattr(file, "original_name", None) or file.name, file.sha256)


def distinct_files(files: list[CheckedFile]) -> list[CheckedFile]:
    """`files` without repeats (same name and content), keeping the first of each."""
    seen, kept = set(), []
    for checked in files:
        if file_identity(checked) not in seen:
            seen.add(file_identity(checked))
            kept.append(checked)
    return kept


# Staging: files checked on a preview (or on a form shown again with an error) wait in storage, referred to by a
# random token kept in the user's session, until the comment is posted. Only people who may post get here (the
# views check first). Each person's waiting files sit in a folder of their own, so that what one person keeps
# waiting is capped however many sessions or tabs they use: at most staged_max_files() files and
# staged_max_bytes() bytes. Staging more drops that person's oldest waiting files; a form that still names one says
# so when sent, rather than posting without it. purge_stale_staged() removes files left waiting.
_STAGE_DIR = "attachments/staged"
_SESSION_KEY = "discussions_staged_files"


def staged_max_files() -> int:
    return max_files()


def staged_max_bytes() -> int:
    return max_files() * max_bytes()


def _listdir(folder: str) -> tuple[list[str], list[str]]:
    try:
        return default_storage.listdir(folder)
    except FileNotFoundError:
        return [], []


def _owner_folder(request) -> str:
    if not request.user.is_authenticated:
        raise PermissionDenied(_("Sign in to attach files."))
    return f"{_STAGE_DIR}/{request.user.pk}"


def _make_room(folder: str, *, keep: set[str], files: int, size: int, session_staged: dict) -> None:
    """Drop the owner's oldest waiting files (never those in `keep`) until `files` more files of `size` bytes fit."""
    waiting = []
    for name in _listdir(folder)[1]:
        path = f"{folder}/{name}"
        try:
            waiting.append((default_storage.get_modified_time(path), name, default_storage.size(path)))
        except FileNotFoundError:  # removed meanwhile by another request or the purge
            continue
    count = len(waiting) + files
    total = sum(bytes_ for _modified, _name, bytes_ in waiting) + size
    for _modified, name, bytes_ in sorted(waiting):
        if count <= staged_max_files() and total <= staged_max_bytes():
            break
        if name in keep:
            continue
        default_storage.delete(f"{folder}/{name}")
        session_staged.pop(name, None)
        count -= 1
        total -= bytes_


def stage(request, files: list[CheckedFile]) -> list[CheckedFile]:
    """Keep checked files for this session, within the person's cap (see above); returns them with tokens set."""
    staged = request.session.get(_SESSION_KEY, {})
    new = [checked for checked in files if not checked.token]
    if new:
        folder = _owner_folder(request)
        _make_room(folder, keep={checked.token for checked in files if checked.token}, files=len(new),
                   size=sum(checked.size for checked in new), session_staged=staged)
        for checked in new:
            checked.token = uuid.uuid4().hex
            path = default_storage.save(f"{folder}/{checked.token}", File(io.BytesIO(checked.data)))
            staged[checked.token] = {"path": path, "name": checked.name, "content_type": checked.content_type,
                                     "size": checked.size, "sha256": checked.sha256}
    request.session[_SESSION_KEY] = staged
    return files


def kept_files(request, tokens: list[str]) -> tuple[list[CheckedFile], list[str]]:
    """The staged files named by `tokens` that belong to this session, and a message for each that is no longer
    kept (dropped for newer ones, or purged after waiting too long), which is then forgotten. Tokens that are not
    this session's are ignored."""
    staged = request.session.get(_SESSION_KEY, {})
    found, lost = [], []
    for token in dict.fromkeys(tokens):
        meta = staged.get(token)
        if not meta:
            continue
        data = None
        try:
            with default_storage.open(meta["path"], "rb") as handle:
                data = handle.read(max_bytes() + 1)
        except FileNotFoundError:
            pass
        if data is None or hashlib.sha256(data).hexdigest() != meta["sha256"]:
            staged.pop(token)
            lost.append(_("“%(name)s”, chosen earlier, is no longer kept on the server; please choose it again.")
                        % {"name": meta["name"]})
            continue
        found.append(CheckedFile(name=meta["name"], content_type=meta["content_type"], size=len(data),
                                 sha256=meta["sha256"], data=data, token=token))
    if lost:
        request.session[_SESSION_KEY] = staged
    return found, lost


def staged_files(request, tokens: list[str]) -> list[CheckedFile]:
    """The staged files named by `tokens` that belong to this session and are still kept."""
    return kept_files(request, tokens)[0]


def unstage(request, tokens: list[str]) -> None:
    """Forget staged files once they are attached (or abandoned)."""
    staged = request.session.get(_SESSION_KEY, {})
    for token in tokens:
        meta = staged.pop(token, None)
        if meta:
            default_storage.delete(meta["path"])
    request.session[_SESSION_KEY] = staged


def purge_stale_staged(older_than: timedelta) -> list[str]:
    """Delete staged files that have waited longer than `older_than`: abandoned previews and forms, and files of
    sessions that have ended (sessions are not indexed, so age is the test). Returns the paths removed."""
    cutoff = timezone.now() - older_than
    folders, names = _listdir(_STAGE_DIR)
    paths = [f"{_STAGE_DIR}/{name}" for name in names]  # staged before files went into per-person folders
    for folder in folders:
        paths.extend(f"{_STAGE_DIR}/{folder}/{name}" for name in _listdir(f"{_STAGE_DIR}/{folder}")[1])
    removed = []
    for path in paths:
        try:
            if default_storage.get_modified_time(path) >= cutoff:
                continue
        except FileNotFoundError:
            continue
        default_storage.delete(path)
        removed.append(path)
    return removed
