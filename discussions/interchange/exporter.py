"""Exporting a consultation in the interchange format: the consultation.json and the .zip bundle with its files."""
from __future__ import annotations

import json
import os
import re
import unicodedata
import zipfile
from datetime import datetime, timezone as dt_timezone
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from discussions.interchange.bundle import CHUNK, MANIFEST
from discussions.interchange.errors import InterchangeError
from discussions.interchange.importer import canonical_person, import_record
from discussions.models import Attachment, Comment, Discussion, Question
from workplan.models import Workplan

FORMAT = "hub-consultation"
VERSION = 1


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(dt_timezone.utc).isoformat() if value else None


def safe_filename(name: str) -> str:
    """A file name safe in any zip tool and file system: ASCII letters, digits, '.', '-' and '_' only."""
    def tidy(part: str) -> str:
        part = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-_")

    stem, ext = os.path.splitext(name)
    stem, ext = tidy(stem)[:100] or "file", tidy(ext)[:10]
    return f"{stem}.{ext}" if ext else stem


class _Ids:
    """Stable ids: the stored source_id where there is one, otherwise the prefix and the primary key."""

    def __init__(self, prefix: str, objects) -> None:
        self.ids: dict[int, str] = {}
        taken = {obj.source_id for obj in objects if obj.source_id}
        for obj in objects:
            if obj.source_id:
                self.ids[obj.pk] = obj.source_id
                continue
            candidate, n = f"{prefix}{obj.pk}", 1
            while candidate in taken:
                n += 1
                candidate = f"{prefix}{obj.pk}-{n}"
            taken.add(candidate)
            self.ids[obj.pk] = candidate

    def __getitem__(self, pk: int) -> str:
        return self.ids[pk]


def _person_for_user(user) -> dict:
    profile = getattr(user, "profile", None) if user is not None else None
    organisation = profile.organisation if profile else None
    return canonical_person({  # with the e-mail: the export drops it unless asked
        "name": (profile.display_name if profile else "") or user.get_full_name() or user.get_username(),
        "email": user.email,
        "organisation": organisation.name if organisation else None,
        "stakeholder_group": organisation.stakeholder_group if organisation else None,
        "badge": organisation.shown_badge if organisation else None,
        "attribution": "person",
    })


def _threaded(comments: list[Comment]) -> list[Comment]:
    """Comments in posting order, except that a parent always comes before its replies (as the format requires)."""
    by_pk = {c.pk: c for c in comments}
    out, seen = [], set()

    def place(comment: Comment) -> None:
        chain = []
        while comment is not None and comment.pk not in seen:
            chain.append(comment)
            comment = by_pk.get(comment.parent_id)
        for item in reversed(chain):
            seen.add(item.pk)
            out.append(item)

    for comment in comments:
        place(comment)
    return out


def consultation_to_dict(discussion: Discussion, *, comments: QuerySet | None = None,
                         include_emails: bool = False) -> dict:
    """The consultation in the interchange format, attachments named by their path in a bundle
    (`attachments/<id>-<name>`); see export_consultation_bundle for the files and the arguments."""
    data, _files = _consultation(discussion, comments=comments, include_emails=include_emails)
    return data


def _consultation(discussion: Discussion, *, comments: QuerySet | None = None,
                  include_emails: bool = False) -> tuple[dict, list[tuple[str, Attachment]]]:
    """The consultation.json of the discussion, and the attachments to write beside it (by their path)."""
    record = import_record(discussion)
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": _iso(timezone.now())}
    workplan = discussion.workplan
    if workplan is not None:
        out["workplan"] = _workplan_section(workplan)
    out["discussion"] = _discussion_section(discussion, record, include_emails=include_emails)
    questions = list(discussion.questions.select_related("posted_by").order_by("order", "id"))
    question_ids = _Ids("q", questions)
    posters = record.get("question_posters") or {}
    out["questions"] = [_question_item(question, question_ids, posters, include_emails=include_emails)
                        for question in questions]
    out["comments"], files = _comments_section(discussion, comments, question_ids, include_emails=include_emails)
    return out, files


def _by_code(priorities) -> list[str]:
    return [p.code for p in sorted(priorities, key=lambda p: (p.kind, p.number))]


def _workplan_section(workplan: Workplan) -> dict:
    priorities = list(workplan.priorities.prefetch_related("gcm_objectives").order_by("kind", "number"))
    groups = list(workplan.working_groups.prefetch_related("priorities", "co_leads").order_by("slug"))
    return {
        "slug": workplan.slug, "title": workplan.title, "period_start": workplan.period_start,
        "period_end": workplan.period_end, "status": workplan.status,
        "priorities": [{
            "code": p.code, "kind": p.kind, "number": p.number, "title": p.title,
            "description_html": p.description,
            "gcm_objectives": sorted(o.number for o in p.gcm_objectives.all()),
        } for p in priorities],
        "working_groups": [{
            "slug": g.slug, "name": g.name, "kind": g.kind,
            "priorities": _by_code(g.priorities.all()),
            "co_leads": sorted(o.name for o in g.co_leads.all()),
            "description_html": g.description,
        } for g in groups],
    }


def _discussion_section(discussion: Discussion, record: dict, *, include_emails: bool) -> dict:
    # The moderators the import named (with or without an account here), then this site's other moderators.
    moderators = list(record.get("moderators") or [])
    named = {(m.get("email") or "").lower() for m in moderators if m.get("email")}
    for user in discussion.moderators.select_related("profile__organisation").order_by("pk"):
        if user.email.lower() not in named:
            moderators.append(_person_for_user(user))
    workplan = discussion.workplan
    return {
        "slug": discussion.slug, "title": discussion.title, "welcome_html": discussion.welcome,
        "status": discussion.status, "opens_at": _iso(discussion.opens_at), "closes_at": _iso(discussion.closes_at),
        "expected_audience": discussion.expected_audience, "languages": list(discussion.languages or []),
        "moderators": [canonical_person(m, include_email=include_emails) for m in moderators],
        "workplan": workplan.slug if workplan else None,
    }


def _question_item(question: Question, question_ids: _Ids, posters: dict, *, include_emails: bool) -> dict:
    item = {"id": question_ids[question.pk], "order": question.order, "text": question.text}
    # The poster as the import's record has them (with their organisation), unless the question has changed since.
    poster = posters.get(question.source_id) if question.source_id else None
    if poster is None or poster.get("name") != question.posted_by_name:
        poster = None
        if question.posted_by_name or question.posted_by_id:
            poster = {"name": question.posted_by_name or question.posted_by.get_username(),
                      "email": question.posted_by.email if question.posted_by else ""}
    if poster is not None:
        item["posted_by"] = canonical_person(poster, include_email=include_emails)
    item["posted_at"] = _iso(question.posted_at)
    return item


def _comments_section(discussion: Discussion, comments: QuerySet | None, question_ids: _Ids, *,
                      include_emails: bool) -> tuple[list[dict], list[tuple[str, Attachment]]]:
    selected = discussion.comments.all()
    if comments is not None:
        selected = selected.filter(pk__in=comments.values("pk"))
    ordered = _threaded(list(
        selected.select_related("author").prefetch_related("priorities", "working_groups", "attachments")
        .order_by("created_at", "id")))
    comment_ids = _Ids("c", ordered)
    items: list[dict] = []
    files: list[tuple[str, Attachment]] = []
    for comment in ordered:
        item = _comment_item(comment, comment_ids, question_ids, include_emails=include_emails)
        for attachment in comment.attachments.all():
            path = f"attachments/{attachment.pk}-{safe_filename(attachment.original_name)}"
            files.append((path, attachment))
            item["attachments"].append({
                "filename": attachment.original_name, "path": path, "content_type": attachment.content_type,
                "size": attachment.size, "sha256": attachment.sha256,
            })
        items.append(item)
    return items, files


def _comment_item(comment: Comment, comment_ids: _Ids, question_ids: _Ids, *, include_emails: bool) -> dict:
    # A reply whose parent is not in the selection is written as a comment on its parent's question: the
    # format needs every parent earlier in the file, and the parent was left out on purpose.
    reply = comment.parent_id is not None and comment.parent_id in comment_ids.ids
    author = canonical_person({
        "name": comment.author_name, "organisation": comment.author_organisation,
        "stakeholder_group": comment.author_stakeholder_group, "badge": comment.author_badge,
        "attribution": "person" if comment.show_personal_name else "organisation",
        "email": comment.author.email if comment.author else "",
    }, include_email=include_emails)
    data = {
        "id": comment_ids[comment.pk],
        "question": question_ids[comment.question_id] if comment.question_id and not reply else None,
        "parent": comment_ids[comment.parent_id] if reply else None,
        "author": author,
        "posted_at": _iso(comment.created_at),
        # The format knows no "withdrawn": like a hidden comment, it is kept but not shown.
        "status": Comment.Status.HIDDEN if comment.status == Comment.Status.WITHDRAWN else comment.status,
        "body_html": comment.body,
        "priorities": _by_code(comment.priorities.all()),
        "working_groups": sorted(g.slug for g in comment.working_groups.all()),
        "attachments": [],
    }
    # Not a property the schema names, but its comments allow other properties: the language the author wrote
    # in travels with the comment ("fr", or "other"), and a reader that does not know it ignores it.
    if comment.language:
        data["language"] = comment.language
    return data


def export_consultation_bundle(discussion: Discussion, fileobj_or_path, *, comments: QuerySet | None = None,
                               include_emails: bool = False, progress=None) -> dict:
    """Write the consultation as a .zip bundle (consultation.json and the attachment files) to a path or a writable
    binary file; returns the dict written as consultation.json.

    comments: only these of the discussion's comments (a queryset, e.g. an export's filtered selection), with their
    attachments; by default every comment whatever its status. include_emails: write the e-mail addresses of
    authors, question posters and moderators; by default the bundle holds none (they leave the site only when the
    command line asks, `export_consultation --include-emails`). progress: called as progress(done, total) with the
    number of attachment files written so far, for a progress bar."""
    data, files = _consultation(discussion, comments=comments, include_emails=include_emails)
    if progress is not None:
        progress(0, len(files))
    with zipfile.ZipFile(fileobj_or_path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(MANIFEST, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        for done, (path, attachment) in enumerate(files, 1):
            try:
                source = attachment.file.open("rb")
            except (FileNotFoundError, ValueError):
                raise InterchangeError(path, f"the stored file of attachment {attachment.pk} "
                                             f"({attachment.original_name}) is missing") from None
            with source, bundle.open(path, "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
            if progress is not None:
                progress(done, len(files))
    return data
