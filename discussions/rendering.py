"""Rendering a whole consultation fast: each comment's HTML is a cached fragment.

The cache key is a digest of everything the fragment shows (text, attribution, status, tags, files, response,
its place in the thread, language and time zone), computed from rows the page loads anyway. A change anywhere
produces a new key, so nothing has to be invalidated by hand and a stale fragment can never be shown; old keys
simply expire. Viewer-specific links (reply, edit, report, moderate) stay outside the fragments.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import cache
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from discussions.models import Comment, Discussion
from discussions.selectors import Entry
from discussions.uploads import TYPE_NAMES
from hub.models import StakeholderGroup
from hub.text import clean_html

FRAGMENT_TEMPLATE = "discussions/_comment.html"
# Bump when _comment.html changes in a way the data digest cannot see.
FRAGMENT_VERSION = "3"
FRAGMENT_TIMEOUT = 7 * 24 * 3600
_SENTINEL = 987654321


class UrlPattern:
    """A URL reversed once and filled in per object: reversing for each of a thousand comments is slow."""

    def __init__(self, name: str, **kwargs) -> None:
        try:
            url = reverse(name, kwargs={**kwargs, "pk": _SENTINEL})
        except NoReverseMatch:
            # Some links belong to parts built separately (moderation); without them the link is left out.
            self.prefix = self.suffix = None
        else:
            self.prefix, _, self.suffix = url.partition(str(_SENTINEL))

    def __bool__(self) -> bool:
        return self.prefix is not None

    def __call__(self, pk: int) -> str:
        return "" if self.prefix is None else f"{self.prefix}{pk}{self.suffix}"


def optional_url(name: str, *args, **kwargs) -> str:
    """The URL, or '' when the name does not (yet) resolve."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


_GROUP_LABELS = dict(StakeholderGroup.choices)


def stakeholder_group_label(code: str) -> str:
    return str(_GROUP_LABELS.get(code, code))


def body_html(comment: Comment, discussion: Discussion) -> SafeString:
    """The comment's stored (already clean) HTML, cleaned once more, with priority mentions linked."""
    if discussion.workplan_id:
        from workplan.mentions import PriorityIndex, link_priority_mentions

        return link_priority_mentions(comment.body, PriorityIndex.for_workplan(discussion.workplan))
    return mark_safe(clean_html(comment.body))  # clean_html's output is safe by construction


def _digest(entry: Entry, discussion: Discussion, lang: str, tz: str) -> str:
    c = entry.comment
    parts: list = [FRAGMENT_VERSION, lang, tz, c.pk, c.status, entry.placeholder, entry.indent, entry.own,
                   c.author_name, c.author_organisation, c.author_stakeholder_group, c.author_badge,
                   c.author_country, c.show_personal_name, c.created_at, c.edited_at, c.edit_count, c.highlighted,
                   c.hidden_reason, c.decline_reason if entry.own else "", c.question_id, discussion.slug,
                   discussion.publish_responses]
    if entry.reply_to is not None:
        parts += [entry.reply_to.pk, entry.reply_to_name]
    if not entry.placeholder:
        parts.append(c.body)
        parts += [(p.pk, p.code, p.title, p.workplan.slug) for p in c.priorities.all()]
        parts += [(g.pk, g.name, g.slug, g.workplan.slug) for g in c.working_groups.all()]
        parts += [(a.pk, a.original_name, a.size, a.content_type) for a in c.attachments.all()]
        disposition = getattr(c, "disposition", None) if discussion.publish_responses else None
        if disposition is not None:
            parts += [disposition.outcome, disposition.rationale, disposition.decided_at]
        if discussion.workplan_id:
            parts.append(discussion.workplan.slug)
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def render_entries(entries: Iterable[Entry], *, discussion: Discussion) -> None:
    """Fill `entry.html` for every entry, from the cache where possible."""
    entries = list(entries)
    if not entries:
        return
    lang = translation.get_language() or ""
    tz = timezone.get_current_timezone_name()
    keys = {id(e): f"dc:{_digest(e, discussion, lang, tz)}" for e in entries}
    found = cache.get_many(list(keys.values()))
    template = None
    attachment_url = UrlPattern("discussions:attachment-download")
    memo: dict = {}
    fresh = {}
    for entry in entries:
        key = keys[id(entry)]
        html = found.get(key)
        if html is None:
            template = template or get_template(FRAGMENT_TEMPLATE)
            html = template.render(_fragment_context(entry, discussion, attachment_url, memo))
            fresh[key] = html
        entry.html = mark_safe(html)  # rendered by our own autoescaping template
    if fresh:
        cache.set_many(fresh, timeout=FRAGMENT_TIMEOUT)


def _url(memo: dict, obj) -> str:
    key = (type(obj).__name__, obj.pk)
    if key not in memo:
        memo[key] = obj.get_absolute_url()
    return memo[key]


def _fragment_context(entry: Entry, discussion: Discussion, attachment_url: UrlPattern, memo: dict) -> dict:
    c = entry.comment
    show_body = not entry.placeholder
    disposition = None
    if show_body and discussion.publish_responses and c.status == Comment.Status.PUBLISHED:
        disposition = getattr(c, "disposition", None)
    return {
        "entry": entry,
        "c": c,
        "body": body_html(c, discussion) if show_body else "",
        "group_label": stakeholder_group_label(c.author_stakeholder_group),
        "attachments": [(a, attachment_url(a.pk), TYPE_NAMES.get(a.content_type, a.content_type))
                        for a in c.attachments.all()] if show_body else [],
        "disposition": disposition,
        "priority_chips": [(p, _url(memo, p)) for p in c.priorities.all()] if show_body else [],
        "group_chips": [(g, _url(memo, g)) for g in c.working_groups.all()] if show_body else [],
        "Status": Comment.Status,
    }
