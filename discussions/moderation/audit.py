"""The audit log read as sentences: "Sofia Marquez hid comment #12", with what changed shown as a diff of words.

The log stores the action's code, the actor's name and the before/after values as data; this module turns each
entry into something a person reads, in their language, when the page is shown."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.models import AuditEntry
from hub.text import html_to_text

# One sentence per action; %(actor)s and %(target)s are filled in ("comment #12", "question #3", "“Title”").
SENTENCES = {
    "comment.post": gettext_lazy("%(actor)s posted %(target)s"),
    "comment.edit": gettext_lazy("%(actor)s edited their own %(target)s"),
    "comment.withdraw": gettext_lazy("%(actor)s withdrew %(target)s"),
    "comment.publish": gettext_lazy("%(actor)s published %(target)s"),
    "comment.decline": gettext_lazy("%(actor)s declined %(target)s"),
    "comment.moderator_edit": gettext_lazy("%(actor)s edited the text of %(target)s"),
    "comment.retag": gettext_lazy("%(actor)s changed the priorities and working groups of %(target)s"),
    "comment.hide": gettext_lazy("%(actor)s hid %(target)s"),
    "comment.unhide": gettext_lazy("%(actor)s showed %(target)s again"),
    "comment.auto_hide": gettext_lazy("%(target)s was hidden automatically after reports"),
    "comment.highlight": gettext_lazy("%(actor)s highlighted %(target)s"),
    "comment.unhighlight": gettext_lazy("%(actor)s removed the highlight from %(target)s"),
    "comment.note": gettext_lazy("%(actor)s added an internal note to %(target)s"),
    "comment.flag": gettext_lazy("%(actor)s reported %(target)s"),
    "comment.flags_dismiss": gettext_lazy("%(actor)s answered the reports on %(target)s and kept it published"),
    "question.post": gettext_lazy("%(actor)s posted %(target)s"),
    "question.edit": gettext_lazy("%(actor)s edited %(target)s"),
    "question.reorder": gettext_lazy("%(actor)s changed the order of the questions of %(target)s"),
    "question.lock": gettext_lazy("%(actor)s locked %(target)s"),
    "question.unlock": gettext_lazy("%(actor)s unlocked %(target)s"),
    "discussion.close": gettext_lazy("%(actor)s closed the discussion %(target)s"),
    "discussion.reopen": gettext_lazy("%(actor)s reopened the discussion %(target)s"),
}
# The actions a moderator filters the log by, as a person names them.
ACTION_LABELS = {
    "comment.publish": gettext_lazy("Comment published"), "comment.decline": gettext_lazy("Comment declined"),
    "comment.moderator_edit": gettext_lazy("Comment edited by a moderator"),
    "comment.retag": gettext_lazy("Priorities or working groups changed"), "comment.hide": gettext_lazy("Comment hidden"),
    "comment.unhide": gettext_lazy("Comment shown again"), "comment.auto_hide": gettext_lazy("Comment hidden automatically"),
    "comment.highlight": gettext_lazy("Comment highlighted"), "comment.unhighlight": gettext_lazy("Highlight removed"),
    "comment.note": gettext_lazy("Internal note added"), "comment.flag": gettext_lazy("Comment reported"),
    "comment.flags_dismiss": gettext_lazy("Reports answered"), "question.post": gettext_lazy("Question posted"),
    "question.edit": gettext_lazy("Question edited"), "question.reorder": gettext_lazy("Questions reordered"),
    "question.lock": gettext_lazy("Question locked"), "question.unlock": gettext_lazy("Question unlocked"),
    "discussion.close": gettext_lazy("Discussion closed"), "discussion.reopen": gettext_lazy("Discussion reopened"),
}
# Values that are text of a comment or question: shown as a diff of words rather than two blobs.
TEXT_KEYS = {"body", "text"}
FIELD_LABELS = {
    "body": gettext_lazy("Text"), "text": gettext_lazy("Text"), "status": gettext_lazy("Status"),
    "priorities": gettext_lazy("Priorities"), "working_groups": gettext_lazy("Working groups"),
    "order": gettext_lazy("Order"), "locked": gettext_lazy("Locked"), "highlighted": gettext_lazy("Highlighted"),
    "decline_reason": gettext_lazy("Reason for declining"), "hidden_reason": gettext_lazy("Reason for hiding"),
    "reason": gettext_lazy("Reason"), "details": gettext_lazy("Details"), "note": gettext_lazy("Note"),
    "counts_toward_auto_hide": gettext_lazy("Counts toward automatic hiding"),
    "reports_answered": gettext_lazy("Reports answered"), "opens_at": gettext_lazy("Opens"),
    "closes_at": gettext_lazy("Closes"),
}


def _choice_labels() -> dict[str, dict[str, str]]:
    """The names people read for the codes the log keeps (a status, a report's reason)."""
    from discussions.models import Comment, Discussion, Flag

    statuses = {**dict(Discussion.Status.choices), **dict(Comment.Status.choices)}
    return {"status": statuses, "reason": dict(Flag.Reason.choices)}


@dataclass
class Change:
    label: str
    words: list[tuple[str, str]] = field(default_factory=list)  # ("same" | "del" | "ins", text) for text fields
    before: str = ""
    after: str = ""


@dataclass
class Described:
    entry: AuditEntry
    sentence: str
    changes: list[Change]


def target_label(entry: AuditEntry) -> str:
    """How the entry names what it acted on: "comment #12", "question #3", or a discussion's title in quotes."""
    model = entry.target_type.model if entry.target_type_id else ""
    if model == "comment":
        return _("comment #%(id)s") % {"id": entry.target_id}
    if model == "question":
        return _("question #%(id)s") % {"id": entry.target_id}
    if model == "discussion":
        return _("“%(title)s”") % {"title": entry.target_repr}
    return entry.target_repr


def sentence(entry: AuditEntry) -> str:
    """The entry as one sentence, ending with its reason when it has one."""
    template = SENTENCES.get(entry.action)
    values = {"actor": entry.actor_name, "target": target_label(entry)}
    text = (str(template) % values) if template else (_("%(actor)s: %(action)s on %(target)s")
                                                     % {**values, "action": entry.action})
    text = text[:1].upper() + text[1:]
    return _("%(sentence)s: %(reason)s") % {"sentence": text, "reason": entry.reason} if entry.reason else text


# Texts are compared paragraph by paragraph, and words are compared only inside paragraphs that changed, up to
# this many words at a time: difflib's matching grows faster than its input, and a page of long edited comments
# must still render in well under a second (about 40 ms for the worst case at this size).
WORD_DIFF_LIMIT = 1200


def _runs(old: list[str], new: list[str]):
    return difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Two texts as runs of words kept ("same"), deleted ("del") and inserted ("ins")."""
    old_lines, new_lines = before.splitlines(), after.splitlines()
    runs: list[tuple[str, str]] = []

    def add(kind: str, words: list[str]) -> None:
        if words:
            runs.append((kind, " ".join(words)))

    for op, a1, a2, b1, b2 in _runs(old_lines, new_lines):
        old, new = " ".join(old_lines[a1:a2]).split(), " ".join(new_lines[b1:b2]).split()
        if op == "equal":
            add("same", old)
        elif op == "replace" and len(old) + len(new) <= WORD_DIFF_LIMIT:
            for wop, w1, w2, v1, v2 in _runs(old, new):
                if wop == "equal":
                    add("same", old[w1:w2])
                else:
                    add("del", old[w1:w2])
                    add("ins", new[v1:v2])
        else:
            add("del", old)
            add("ins", new)
    return runs


def _plain(value, names: dict | None = None) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    if value in (None, ""):
        return "—"
    return str((names or {}).get(value, value))


def changes(entry: AuditEntry) -> list[Change]:
    """What the entry changed, field by field; text fields as a diff of their words."""
    out = []
    names = _choice_labels()
    for key in sorted(set(entry.before) | set(entry.after)):
        before, after = entry.before.get(key), entry.after.get(key)
        label = str(FIELD_LABELS.get(key, key.replace("_", " ").capitalize()))
        if key in TEXT_KEYS and isinstance(before or after or "", str):
            out.append(Change(label=label, words=word_diff(html_to_text(before or ""), html_to_text(after or ""))))
        else:
            if before == after:  # kept in the log for context, but nothing a person needs to read
                continue
            out.append(Change(label=label, before=_plain(before, names.get(key)), after=_plain(after, names.get(key))))
    return out


def describe(entries) -> list[Described]:
    """Entries ready for a page: a sentence and the changes of each."""
    return [Described(entry=e, sentence=sentence(e), changes=changes(e)) for e in entries]
