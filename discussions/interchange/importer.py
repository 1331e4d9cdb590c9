"""Importing a checked bundle: what it would change on the site (the dry run, `plan_import`), and the writes, in one
transaction, matching what exists by slug, kind and number, and the file's ids (kept as `source_id`)."""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.html import escape
from django.utils.translation import gettext as _

from discussions.interchange.bundle import Bundle, HashingReader, open_bundle, read_manifest
from discussions.interchange.errors import InterchangeError, at
from discussions.interchange.validate import Validated, parse_datetime, validate_consultation
from discussions.models import Attachment, Comment, Discussion, Question
from hub.languages import OTHER as OTHER_LANGUAGE
from discussions.permissions import check_import_consultation
from discussions.rendering import display_copies
from hub.audit import audit_log
from hub.models import AuditEntry
from hub.search import indexing
from hub.text import clean_html, html_to_text
from workplan.models import Priority, Workplan, WorkingGroup
from workplan.services import PriorityFields, WorkingGroupFields, workplan_import

IMPORT_ACTION = "discussion.import"
# Comments written per bulk query: large enough that 20,000 comments take a few dozen queries, small enough that
# one chunk's rows stay a few megabytes and within SQLite's limit on query parameters.
CHUNK = 500
# What an import sets on an existing comment (everything a bundle says about it).
COMMENT_FIELDS = ["source_id", "parent", "depth", "question", "author", "author_name", "author_organisation",
                  "author_stakeholder_group", "author_badge", "show_personal_name", "author_organisation_confirmed",
                  "body", "body_text", "body_display", "status", "language", "created_at", "published_at"]


def unshowable_note() -> str:
    """The body given to an imported comment whose HTML cleaned to nothing visible."""
    return clean_html("<p><em>%s</em></p>" % escape(_(
        "The original content of this comment could not be shown (it contained only embedded media or other "
        "content that is not kept).")))


def _person_label(person: dict) -> str:
    """A person as the import's report names them: the name (or organisation, or badge) and the e-mail."""
    name = (person.get("name") or person.get("organisation") or person.get("badge") or "").strip() or "(no name)"
    email = (person.get("email") or "").strip()
    return f"{name} <{email}>" if email else name


def _existing_refusal(discussion: Discussion, comments: int) -> str:
    return (f"a discussion with the slug {discussion.slug!r} already exists on this site ({discussion.status}, "
            f"{comments} comment{'' if comments == 1 else 's'}) and importing would change it; to update it, import "
            "with --update-existing (update_existing=True)")


@dataclass
class ImportPlan:
    """What importing a bundle would do to what is already on the site, found before anything is written: the
    dry run's report (`import_consultation --check`), and what the import itself decides by."""

    data: dict
    validated: Validated
    update_existing: bool = False
    grant_moderators: bool = False
    existing_discussion: Discussion | None = None
    existing_comments: int = 0
    existing_workplan: Workplan | None = None
    # Existing accounts the file names as moderators, not yet moderators of the discussion ("Name <e-mail>").
    moderators_matched: list[str] = field(default_factory=list)
    moderators_already: list[str] = field(default_factory=list)
    moderators_without_account: list[str] = field(default_factory=list)
    # Existing accounts that comments or questions are linked to by e-mail (their owners can then see them as theirs).
    linked_accounts: list[str] = field(default_factory=list)

    @property
    def refusal(self) -> str | None:
        """Why the import would be refused, or None."""
        if self.existing_discussion is not None and not self.update_existing:
            return _existing_refusal(self.existing_discussion, self.existing_comments)
        return None

    def lines(self) -> list[str]:
        data = self.data
        slug = data["discussion"]["slug"]
        out = []
        if self.existing_discussion is None:
            out.append(f"Discussion {slug!r}: new.")
        else:
            verdict = ("it will be UPDATED (--update-existing)" if self.update_existing
                       else "REFUSED: it exists; --update-existing is needed to update it")
            out.append(f"Discussion {slug!r}: already exists ({self.existing_discussion.status}, "
                       f"{self.existing_comments} comments): {verdict}.")
        if data.get("workplan"):
            if self.existing_workplan is None:
                out.append(f"Workplan {data['workplan']['slug']!r}: new.")
            else:
                out.append(f"Workplan {data['workplan']['slug']!r}: already exists; its title, priorities and working "
                           "groups will be updated from the file.")
        attachments = sum(len(c.get("attachments", [])) for c in data["comments"])
        out.append(f"{len(data['questions'])} questions, {len(data['comments'])} comments, {attachments} attachments "
                   "(checked like uploads).")
        if self.moderators_matched:
            names = ", ".join(self.moderators_matched)
            out.append(f"Moderator rights granted to existing accounts: {names}." if self.grant_moderators else
                       f"Moderator rights NOT granted (no --grant-moderators) to existing accounts: {names}.")
        if self.moderators_already:
            out.append(f"Already moderators of the discussion: {', '.join(self.moderators_already)}.")
        if self.moderators_without_account:
            out.append("Moderators without an account here (kept in the import record only): "
                       f"{', '.join(self.moderators_without_account)}.")
        if self.linked_accounts:
            out.append("Comments or questions linked to existing accounts by e-mail: "
                       f"{', '.join(self.linked_accounts)}.")
        if self.validated.unshowable:
            out.append("Comments whose content could not be shown (kept with a note saying so): "
                       f"{', '.join(self.validated.unshowable)}.")
        return out


def _users_by_email(people) -> dict:
    emails = {person["email"].strip().lower() for person in people if (person.get("email") or "").strip()}
    users = {}
    if emails:
        matches = (get_user_model().objects.annotate(email_lower=Lower("email"))
                   .filter(email_lower__in=emails).order_by("pk"))
        for user in matches:
            users.setdefault(user.email_lower, user)
    return users


def _people(data: dict):
    """Everyone the file names: moderators, question posters and comment authors."""
    yield from data["discussion"].get("moderators", [])
    yield from _authors(data)


def _authors(data: dict):
    """The people who posted the file's questions and comments."""
    for question in data["questions"]:
        if question.get("posted_by"):
            yield question["posted_by"]
    for comment in data["comments"]:
        yield comment["author"]


def plan_import(data: dict, validated: Validated, *, update_existing: bool = False,
                grant_moderators: bool = False) -> ImportPlan:
    """What importing a validated bundle would change on the site, read without writing anything."""
    plan = ImportPlan(data=data, validated=validated, update_existing=update_existing,
                      grant_moderators=grant_moderators)
    users = _users_by_email(_people(data))

    def user(person: dict):
        return users.get((person.get("email") or "").strip().lower())

    plan.existing_discussion = Discussion.objects.filter(slug=data["discussion"]["slug"]).first()
    current: set[int] = set()
    if plan.existing_discussion is not None:
        plan.existing_comments = plan.existing_discussion.comments.count()
        current = set(plan.existing_discussion.moderators.values_list("pk", flat=True))
    if data.get("workplan"):
        plan.existing_workplan = Workplan.objects.filter(slug=data["workplan"]["slug"]).first()
    for person in data["discussion"].get("moderators", []):
        account = user(person)
        if account is None:
            plan.moderators_without_account.append(_person_label(person))
        elif account.pk in current:
            plan.moderators_already.append(_person_label(person))
        else:
            plan.moderators_matched.append(_person_label(person))
    linked = {}
    for person in _authors(data):
        account = user(person)
        if account is not None:
            linked.setdefault(account.pk, f"{account.get_username()} <{account.email}>")
    plan.linked_accounts = list(linked.values())
    return plan


@dataclass
class ImportReport:
    """What an import created and updated, kind by kind, and what it did or did not do to existing accounts."""

    discussion: Discussion | None = None
    source: str = ""
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    moderators_granted: list[str] = field(default_factory=list)
    moderators_not_granted: list[str] = field(default_factory=list)
    unshowable: list[str] = field(default_factory=list)
    linked_accounts: list[str] = field(default_factory=list)

    KINDS = ("workplan", "priority", "working group", "organisation", "discussion", "moderator", "question",
             "comment", "attachment")

    def as_dict(self) -> dict:
        return {kind: {"created": self.created[kind], "updated": self.updated[kind], "removed": self.removed[kind]}
                for kind in self.KINDS if self.created[kind] or self.updated[kind] or self.removed[kind]}

    def lines(self) -> list[str]:
        out = []
        for kind, counts in self.as_dict().items():
            parts = [f"{n} {verb}" for verb, n in counts.items() if n]
            out.append(f"{kind}: {', '.join(parts)}")
        if self.moderators_granted:
            out.append(f"moderator rights granted to: {', '.join(self.moderators_granted)}")
        if self.moderators_not_granted:
            out.append("moderator rights NOT granted (import with --grant-moderators to grant them) to: "
                       f"{', '.join(self.moderators_not_granted)}")
        if self.linked_accounts:
            out.append(f"linked to existing accounts by e-mail: {', '.join(self.linked_accounts)}")
        if self.unshowable:
            out.append("content could not be shown (kept with a note saying so) for comments: "
                       f"{', '.join(self.unshowable)}")
        return out


def canonical_person(person: dict | None, *, include_email: bool = True) -> dict | None:
    """A person as the export writes it: every field present, empty values as null; the e-mail only if asked."""
    if person is None:
        return None
    out = {
        "name": person.get("name", ""),
        "organisation": person.get("organisation") or None,
        "stakeholder_group": person.get("stakeholder_group") or None,
        "badge": person.get("badge") or None,
        "attribution": person.get("attribution") or "person",
    }
    if include_email and person.get("email"):
        out["email"] = person["email"]
    return out


def import_record(discussion: Discussion) -> dict:
    """What the latest import of the discussion kept beside its rows (the `after` of its audit entry): the
    moderators and question posters as the file named them, which the export writes back."""
    return (AuditEntry.objects.filter(action=IMPORT_ACTION, target_id=str(discussion.pk),
                                      target_type=ContentType.objects.get_for_model(Discussion))
            .order_by("-created_at", "-id").values_list("after", flat=True).first()) or {}


def _priority_fields(item: dict) -> PriorityFields:
    return PriorityFields(kind=item["kind"], number=item["number"], title=item["title"],
                          description=item.get("description_html"), gcm_objectives=item.get("gcm_objectives"))


def _working_group_fields(item: dict) -> WorkingGroupFields:
    return WorkingGroupFields(slug=item["slug"], name=item["name"], kind=item.get("kind"),
                              description=item.get("description_html"), priorities=item.get("priorities"),
                              co_leads=item.get("co_leads"))


class _Importer:
    """The writes of one import, in the order the records refer to each other: workplan, discussion, questions,
    comments with their attachments, then the audit entry."""

    def __init__(self, plan: ImportPlan, bundle: Bundle, actor, source: str, progress=None) -> None:
        self.plan = plan
        self.progress = progress
        self.data = plan.data
        self.bundle = bundle
        self.files = plan.validated.files
        self.actor = actor
        self.report = ImportReport(source=source, unshowable=list(plan.validated.unshowable),
                                   linked_accounts=list(plan.linked_accounts))
        self.stored: list[str] = []  # names written to storage, deleted again if the import fails
        self.priorities: dict[str, Priority] = {}
        self.groups: dict[str, WorkingGroup] = {}
        self.users = _users_by_email(_people(self.data))
        self.unshowable = set(plan.validated.unshowable)

    def user_for(self, person: dict | None, current=None):
        """The account with the person's e-mail; a person without one keeps the account linked before (a bundle
        exported without e-mails must not unlink comments from their authors when it is imported again)."""
        email = ((person or {}).get("email") or "").strip().lower()
        return self.users.get(email) if email else current

    def tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def count(self, kind: str, created: bool) -> None:
        (self.report.created if created else self.report.updated)[kind] += 1

    def run(self) -> ImportReport:
        workplan = self.import_workplan()
        discussion = self.import_discussion(workplan)
        questions = self.import_questions(discussion)
        self.import_comments(discussion, questions)
        self.report.discussion = discussion
        audit_log(actor=self.actor, action=IMPORT_ACTION, target=discussion,
                  reason=f"Imported from {self.report.source}", after=self.record())
        return self.report

    def record(self) -> dict:
        """The import's audit entry: its counts, and what the models have no place for (read by import_record)."""
        return {
            "counts": self.report.as_dict(),
            "moderators": [canonical_person(p) for p in self.data["discussion"].get("moderators", [])],
            "question_posters": {q["id"]: canonical_person(q["posted_by"])
                                 for q in self.data["questions"] if q.get("posted_by")},
            "moderators_granted": self.report.moderators_granted,
            "moderators_not_granted": self.report.moderators_not_granted,
            "unshowable_comments": self.report.unshowable,
        }

    def import_workplan(self) -> Workplan | None:
        """The file's workplan, written through the workplan's service, or the site's workplan the file names."""
        data = self.data.get("workplan")
        if data is None:
            return self.existing_workplan(self.data["discussion"].get("workplan"))
        try:
            result = workplan_import(
                actor=self.actor, slug=data["slug"], title=data["title"], period_start=data.get("period_start"),
                period_end=data.get("period_end"), status=data.get("status"),
                priorities=[_priority_fields(item) for item in data["priorities"]],
                working_groups=[_working_group_fields(item) for item in data.get("working_groups", [])])
        except ValidationError as exc:
            where, messages = next(iter(exc.message_dict.items()))
            raise InterchangeError(at("workplan", where), messages[0]) from None
        self.priorities, self.groups = result.priorities, result.working_groups
        self.report.created.update(result.created)
        self.report.updated.update(result.updated)
        return result.workplan

    def existing_workplan(self, slug: str | None) -> Workplan | None:
        if not slug:
            return None
        workplan = Workplan.objects.get(slug=slug)
        self.priorities = {p.code: p for p in workplan.priorities.all()}
        self.groups = {g.slug: g for g in workplan.working_groups.all()}
        return workplan

    def import_discussion(self, workplan: Workplan | None) -> Discussion:
        data = self.data["discussion"]
        # Locked, so that the check below and the update see the same discussion.
        discussion = Discussion.objects.select_for_update().filter(slug=data["slug"]).first()
        created = discussion is None
        if created:
            discussion = Discussion(slug=data["slug"])
        elif not self.plan.update_existing:
            # plan_import refused already; this catches a discussion created since the plan was made.
            raise InterchangeError("discussion.slug", _existing_refusal(discussion, discussion.comments.count()))
        discussion.title = data["title"]
        discussion.status = data["status"]
        discussion.workplan = workplan
        if "welcome_html" in data:
            discussion.welcome = clean_html(data["welcome_html"])
        if "expected_audience" in data:
            discussion.expected_audience = data["expected_audience"]
        if "languages" in data:
            discussion.languages = list(data["languages"])
        for key in ("opens_at", "closes_at"):
            if key in data:
                value = data[key]
                setattr(discussion, key, parse_datetime(value, f"discussion.{key}") if value else None)
        discussion.save()
        self.count("discussion", created)
        current = set(discussion.moderators.values_list("pk", flat=True))
        for person in data.get("moderators", []):
            email = (person.get("email") or "").strip().lower()
            user = self.users.get(email) if email else None
            if user is None or user.pk in current:
                continue
            current.add(user.pk)
            if not self.plan.grant_moderators:
                # Moderator rights are never given to an existing account just because a file names its e-mail.
                self.report.moderators_not_granted.append(_person_label(person))
                continue
            discussion.moderators.add(user)
            self.report.moderators_granted.append(_person_label(person))
            self.report.created["moderator"] += 1
        return discussion

    def import_questions(self, discussion: Discussion) -> dict[str, Question]:
        existing = list(discussion.questions.all())
        by_source = {q.source_id: q for q in existing if q.source_id}
        by_pk = {f"q{q.pk}": q for q in existing if not q.source_id}
        out = {}
        for item in self.data["questions"]:
            # An id like "q12" without a stored source_id is this site's own export of question 12.
            question = by_source.get(item["id"]) or by_pk.get(item["id"])
            created = question is None
            if created:
                question = Question(discussion=discussion)
            question.source_id = item["id"]
            question.order = item["order"]
            question.text = item["text"]
            poster = item.get("posted_by")
            question.posted_by_name = poster["name"] if poster else ""
            question.posted_by = self.user_for(poster, question.posted_by)
            if "posted_at" in item:
                question.posted_at = parse_datetime(item["posted_at"], f"questions[{len(out)}].posted_at")
            question.save()
            out[item["id"]] = question
            self.count("question", created)
        return out

    def import_comments(self, discussion: Discussion, questions: dict[str, Question]) -> None:
        """The comments in bulk, CHUNK rows per query: new ones created, existing ones (matched by source_id or
        this site's own export id) updated, their priority and working group links replaced, replies pointed at
        their parents. Nothing is queried per comment; only attachments are written one by one (they are files)."""
        existing = list(discussion.comments.prefetch_related("attachments"))
        by_source = {c.source_id: c for c in existing if c.source_id}
        by_pk = {f"c{c.pk}": c for c in existing if not c.source_id}
        items = self.data["comments"]
        total = len(items)
        done: dict[str, Comment] = {}
        bodies = self.plan.validated.bodies
        for first in range(0, total, CHUNK):
            batch = []  # (index, item, comment, created)
            for index in range(first, min(first + CHUNK, total)):
                item = items[index]
                comment = by_source.get(item["id"]) or by_pk.get(item["id"])
                created = comment is None
                if created:
                    comment = Comment(discussion=discussion)
                self.fill_comment(comment, item, index, done, questions, bodies)
                done[item["id"]] = comment
                batch.append((index, item, comment, created))
            self.write_comments(batch)
            self.tick(first + len(batch), total)
        # Search entries follow the rows on commit, as a save of each comment would have had them do.
        indexing.schedule("comment", [comment.pk for comment in done.values()])

    def fill_comment(self, comment: Comment, item: dict, index: int, done: dict[str, Comment],
                     questions: dict[str, Question], bodies: dict[str, tuple[str, str]]) -> None:
        parent = done[item["parent"]] if item.get("parent") else None
        author = item["author"]
        if item["id"] in self.unshowable:
            body = unshowable_note()
            text = html_to_text(body)
        elif item["id"] in bodies:
            body, text = bodies[item["id"]]
        else:
            body = clean_html(item["body_html"])
            text = html_to_text(body)
        posted_at = parse_datetime(item["posted_at"], f"comments[{index}].posted_at")
        comment.source_id = item["id"]
        # A parent created in the same chunk has no pk yet: write_comments points the reply at it afterwards.
        comment.parent = parent
        comment.depth = parent.depth + 1 if parent else 0
        comment.question = parent.question if parent else questions.get(item.get("question"))
        comment.author = self.user_for(author, comment.author)
        comment.author_name = author["name"]
        comment.author_organisation = author.get("organisation") or ""
        comment.author_stakeholder_group = author.get("stakeholder_group") or ""
        comment.author_badge = author.get("badge") or ""
        comment.show_personal_name = author.get("attribution", "person") != "organisation"
        # A bundle records attributions as the source platform showed them and has no membership state: the
        # secretariat that imports it vouches for them, so they are shown as confirmed.
        comment.author_organisation_confirmed = True
        comment.body = body
        comment.body_text = text
        comment.body_display = display_copies(body, comment.discussion)
        comment.status = item["status"]
        if "language" in item or comment.pk is None:
            comment.language = bundle_language(item.get("language"))
        comment.created_at = posted_at
        if item["status"] in (Comment.Status.PUBLISHED, Comment.Status.HIDDEN):
            comment.published_at = comment.published_at or posted_at
        else:
            comment.published_at = None

    def write_comments(self, batch: list[tuple[int, dict, Comment, bool]]) -> None:
        """One chunk: a bulk insert of the new comments, a bulk update of the existing ones, the replies whose
        parent was created in this chunk re-pointed, the tag links replaced, then the attachments."""
        new = [comment for _i, _item, comment, created in batch if created]
        old = [comment for _i, _item, comment, created in batch if not created]
        # A reply to a comment of this chunk that is not saved yet goes in without its parent first.
        orphans = []
        for _i, _item, comment, created in batch:
            parent = comment.parent
            if parent is not None and parent.pk is None:
                orphans.append((comment, parent, created))
                comment.parent = None
        if new:
            Comment.objects.bulk_create(new, batch_size=CHUNK)
            self.report.created["comment"] += len(new)
        for comment, parent, _created in orphans:
            comment.parent = parent
        # The update comes after the insert, so that an existing comment can reply to a new one.
        if old:
            Comment.objects.bulk_update(old, COMMENT_FIELDS, batch_size=CHUNK)
            self.report.updated["comment"] += len(old)
        new_orphans = [comment for comment, _parent, created in orphans if created]
        if new_orphans:
            Comment.objects.bulk_update(new_orphans, ["parent"], batch_size=CHUNK)
        self.write_tags(batch)
        for index, item, comment, created in batch:
            if item.get("attachments") or not created:
                self.import_attachments(comment, index, item.get("attachments", []), created)

    def write_tags(self, batch: list[tuple[int, dict, Comment, bool]]) -> None:
        """Each comment's priorities and working groups as the file lists them (an existing comment's are replaced,
        also by none when the file lists none)."""
        for key, through, column, targets in (
                ("priorities", Comment.priorities.through, "priority_id", self.priorities),
                ("working_groups", Comment.working_groups.through, "workinggroup_id", self.groups)):
            replaced = [comment.pk for _i, item, comment, created in batch if not created]
            if replaced:
                through.objects.filter(comment_id__in=replaced).delete()
            rows = []
            for _i, item, comment, created in batch:
                seen = set()
                for name in item.get(key, []):
                    target = targets[name].pk
                    if target not in seen:
                        seen.add(target)
                        rows.append(through(comment_id=comment.pk, **{column: target}))
            through.objects.bulk_create(rows, batch_size=CHUNK)

    def import_attachments(self, comment: Comment, comment_index: int, items: list[dict], created: bool) -> None:
        current = [] if created else list(comment.attachments.all())
        keep = set()
        for position, item in enumerate(items):
            checked = self.files[item["path"]]
            # The name and the type as an upload's checks made them: the type is read from the bytes, never taken
            # from the file's "content_type".
            name, content_type = self.plan.validated.attachments[(comment_index, position)]
            match = next((a for a in current if a.sha256 == checked.sha256 and a.original_name == name
                          and a.pk not in keep), None)
            if match is not None:
                keep.add(match.pk)
                if match.content_type != content_type:
                    match.content_type = content_type
                    match.save(update_fields=["content_type"])
                continue
            attachment = Attachment(comment=comment, original_name=name, content_type=content_type,
                                    size=checked.size, sha256=checked.sha256)
            with self.bundle.open(item["path"]) as fh:
                # Hash the bytes actually stored: the bundle could change between the check and now.
                stored = HashingReader(fh, checked.size)
                attachment.file.save(name, File(stored, name=name), save=False)
                self.stored.append(attachment.file.name)
                if stored.digest.hexdigest() != checked.sha256:
                    raise InterchangeError(item["path"], "changed while it was being imported")
            attachment.save()
            self.report.created["attachment"] += 1
        for attachment in current:
            if attachment.pk not in keep:
                name = attachment.file.name
                attachment.delete()
                transaction.on_commit(lambda name=name: default_storage.delete(name))
                self.report.removed["attachment"] += 1


def import_consultation_bundle(source, *, actor=None, update_existing: bool = False, grant_moderators: bool = False,
                               strict: bool = False,
                               progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Create or update a consultation from a bundle (a .zip path or file, or a folder). The whole bundle is checked
    first and written in one transaction: on any problem, InterchangeError names it and nothing is written.

    update_existing: allow changing a discussion that already exists here (otherwise the import is refused).
    grant_moderators: make the existing accounts the file names as moderators moderators of the discussion
    (otherwise the report lists them as not granted). strict: refuse a comment whose HTML cleans to nothing
    visible, rather than keeping it with a note. progress: called as progress(done, total) with the number of the
    file's comments written so far: at 0 once the bundle is checked (before the transaction starts), then after
    each chunk (inside the transaction, which can still roll back). actor: the person importing, whose right to
    (check_import_consultation) is checked first; None for the site itself (the command)."""
    if actor is not None:  # None is the site itself: the import command
        check_import_consultation(actor, update_existing=update_existing, grant_moderators=grant_moderators)
    label = str(source) if isinstance(source, (str, os.PathLike)) else getattr(source, "name", None) or "bundle"
    with open_bundle(source) as bundle:
        data = read_manifest(bundle)
        validated = validate_consultation(data, bundle, strict=strict)
        plan = plan_import(data, validated, update_existing=update_existing, grant_moderators=grant_moderators)
        if plan.refusal:
            raise InterchangeError("discussion.slug", plan.refusal)
        if progress is not None:
            # Before the transaction, so that a caller recording progress elsewhere can write the total.
            progress(0, len(data["comments"]))
        importer = _Importer(plan, bundle, actor, label, progress)
        try:
            with transaction.atomic():
                return importer.run()
        except BaseException:
            for name in importer.stored:
                default_storage.delete(name)
            raise


def check_consultation_bundle(source, *, update_existing: bool = False, grant_moderators: bool = False,
                              strict: bool = False) -> ImportPlan:
    """Validate a bundle and say what importing it would do, without writing anything (the dry run)."""
    with open_bundle(source) as bundle:
        data = read_manifest(bundle)
        validated = validate_consultation(data, bundle, strict=strict)
        return plan_import(data, validated, update_existing=update_existing, grant_moderators=grant_moderators)


def bundle_language(value) -> str:
    """A comment's language from a bundle: one of the site's codes ("fr", also "fr-CA"), "other" for any other
    language named, empty when the bundle does not say."""
    if not isinstance(value, str) or not value.strip():
        return ""
    code = value.strip().lower().split("-")[0].split("_")[0]
    return code if code in dict(settings.LANGUAGES) else OTHER_LANGUAGE
