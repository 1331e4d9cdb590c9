"""Rendering a whole consultation fast: each comment's HTML is a cached fragment.

Each fragment is stored under a digest of everything it shows (text, attribution, status, tags, files, response,
its place in the thread, language and time zone), computed from rows the page loads anyway. A change anywhere
produces a new key, so nothing has to be invalidated by hand and a stale fragment can never be shown; old keys
simply expire. Viewer-specific links (reply, edit, report, moderate) stay outside the fragments.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from discussions.models import Comment, Discussion
from discussions.permissions import (
    can_comment_in,
    can_edit_comment,
    can_flag_comment,
    can_moderate_discussion,
    can_reply_to_comment,
    can_withdraw_comment,
)
from discussions.selectors import Entry
from discussions.uploads import TYPE_NAMES
from hub.models import stakeholder_group_label
from hub.text import clean_html_for_display

logger = logging.getLogger(__name__)

FRAGMENT_TEMPLATE = "discussions/_comment.html"
# Bump when _comment.html changes in a way the data digest cannot see.
FRAGMENT_VERSION = "5"
FRAGMENT_TIMEOUT = 7 * 24 * 3600
_SENTINEL = 987654321


class UrlPattern:
    """A URL reversed once and filled in per object: reversing for each of a thousand comments is slow."""

    def __init__(self, name: str, **kwargs) -> None:
        url = reverse(name, kwargs={**kwargs, "pk": _SENTINEL})
        self.prefix, _, self.suffix = url.partition(str(_SENTINEL))

    def __call__(self, pk: int) -> str:
        return f"{self.prefix}{pk}{self.suffix}"


def body_html(comment: Comment, discussion: Discussion) -> SafeString:
    """The comment as shown: its stored (already clean) HTML, cleaned once more, with priority mentions linked.
    The display copy made when the comment was saved (`display_copies`) is used when it was made from this body,
    against these priorities and with these URLs; otherwise the body is linked here."""
    if discussion.workplan_id:
        from workplan.mentions import PriorityIndex, link_priority_mentions

        index = PriorityIndex.for_workplan(discussion.workplan)
        stored = (comment.body_display or {}).get(translation.get_language() or "")
        if stored and stored[0] == _display_key(comment.body, index):
            return mark_safe(comment.body if stored[1] is None else stored[1])  # made by link_priority_mentions
        return link_priority_mentions(comment.body, index)
    return clean_html_for_display(comment.body)


# Bump when link_priority_mentions or clean_html change what they make of the same body.
DISPLAY_VERSION = "1"


def _display_key(body: str, index) -> str:
    """What a display copy depends on, in the active language: the body, the workplan's priorities (codes, titles,
    slugs) and the shape of the workplan's URLs in this language (a language prefix, say)."""
    language = translation.get_language() or ""
    memo = getattr(index, "_display_url_probe", None)
    if memo is None:
        memo = index._display_url_probe = {}
    probe = memo.get(language)
    if probe is None:
        probe = memo[language] = reverse("workplan:index")
    digest = hashlib.blake2b(digest_size=16)
    for part in (DISPLAY_VERSION, index.signature, probe, body):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def display_copies(body: str, discussion: Discussion) -> dict:
    """The body as every site language shows it, mention-linked, each under the key it was made for; saved with
    the comment so a page render does no linking. A copy identical to the body itself is stored as None."""
    if not discussion.workplan_id:
        return {}
    from django.conf import settings

    from workplan.mentions import PriorityIndex, link_priority_mentions

    index = PriorityIndex.for_workplan(discussion.workplan)
    copies = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            html = str(link_priority_mentions(body, index))
            copies[language] = [_display_key(body, index), None if html == body else html]
    return copies


def refresh_display_copies(comments: Iterable[Comment], discussion: Discussion) -> list[Comment]:
    """Remake the display copies of these comments of one discussion where they are out of date; returns the
    comments changed (not saved)."""
    changed = []
    for comment in comments:
        copies = display_copies(comment.body, discussion)
        if copies != (comment.body_display or {}):
            comment.body_display = copies
            changed.append(comment)
    return changed


def _digest(entry: Entry, discussion: Discussion, lang: str, tz: str, index_signature: str = "") -> str:
    c = entry.comment
    parts: list = [FRAGMENT_VERSION, lang, tz, index_signature, c.pk, c.status, entry.placeholder, entry.indent, entry.own,
                   c.author_name, c.author_organisation, c.author_stakeholder_group, c.author_badge,
                   c.author_organisation_confirmed, c.author_country, c.show_personal_name, c.language, c.created_at, c.edited_at, c.edit_count, c.highlighted,
                   c.hidden_reason, c.decline_reason if entry.own else "", c.question_id, discussion.slug,
                   discussion.publish_responses]
    if entry.reply_to is not None:
        parts += [entry.reply_to.pk, entry.reply_to_name]
    if not entry.placeholder:
        parts.append(c.body)
        parts += [(p.pk, p.code, p.title, p.workplan.slug) for p in c.priority_list]
        parts += [(g.pk, g.name, g.slug, g.workplan.slug) for g in c.group_list]
        parts += [(a.pk, a.original_name, a.size, a.content_type) for a in c.attachment_list]
        disposition = getattr(c, "disposition", None) if discussion.publish_responses else None
        if disposition is not None:
            parts += [disposition.outcome, disposition.rationale, disposition.decided_at]
        if discussion.workplan_id:
            parts.append(discussion.workplan.slug)
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def thread_key(slug: str, lang: str | None = None, tz: str | None = None) -> str:
    """Where the fragments of a discussion's thread are kept, for the active language and time zone by default."""
    lang = (translation.get_language() or "") if lang is None else lang
    tz = timezone.get_current_timezone_name() if tz is None else tz
    return f"discussions:fragments:{FRAGMENT_VERSION}:{slug}:{lang}:{tz}"


def render_entries(entries: Iterable[Entry], *, discussion: Discussion, stored: dict | None = None) -> None:
    """Fill `entry.html` for every entry, from the cache where possible.

    The fragments of one discussion live together in one cache entry ({digest: html}): one read per page, and a
    small cache (such as the default local-memory one, which keeps 300 entries) is not flooded by a thousand
    comments. When anything was rendered afresh the entry is rewritten with exactly the current fragments, so
    stale ones drop out. `stored`: that entry, when the caller has read it already (in one round trip with
    other reads)."""
    entries = list(entries)
    if not entries:
        return
    lang = translation.get_language() or ""
    tz = timezone.get_current_timezone_name()
    key = thread_key(discussion.slug, lang, tz)
    try:
        stored = (cache.get(key) if stored is None else stored) or {}
    except Exception:  # noqa: BLE001 - a cache that is down means rendering everything, never an error
        logger.warning("Fragment cache unavailable; rendering every comment", exc_info=True)
        stored = {}
    # The priorities' codes and titles are in every linked mention: renaming one makes new fragments.
    index_signature = ""
    if discussion.workplan_id:
        from workplan.mentions import PriorityIndex

        index_signature = PriorityIndex.for_workplan(discussion.workplan).signature
    digests = [_digest(e, discussion, lang, tz, index_signature) for e in entries]
    attachment_url = UrlPattern("discussions:attachment-download")
    memo: dict = {}
    current: dict[str, str] = {}
    fresh = 0
    template = None
    for entry, digest in zip(entries, digests):
        html = stored.get(digest)
        if html is None:
            template = template or get_template(FRAGMENT_TEMPLATE)
            html = template.render(_fragment_context(entry, discussion, attachment_url, memo))
            fresh += 1
        current[digest] = html
        entry.html = mark_safe(html)  # rendered by our own autoescaping template
    if fresh or len(current) != len(stored):
        try:
            cache.set(key, current, timeout=FRAGMENT_TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("Could not store rendered comments", exc_info=True)


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
                        for a in c.attachment_list] if show_body else [],
        "disposition": disposition,
        "priority_chips": [(p, _url(memo, p)) for p in c.priority_list] if show_body else [],
        "group_chips": [(g, _url(memo, g)) for g in c.group_list] if show_body else [],
        "Status": Comment.Status,
    }


def add_reader_links(entries: Iterable[Entry], *, discussion: Discussion, user) -> None:
    """Fill `entry.urls` with the links this reader may follow on each comment shown in full (reply, edit,
    withdraw, report, moderate), as discussions.permissions allows. Each URL is reversed once per page."""
    may_post = can_comment_in(user, discussion)
    moderator = can_moderate_discussion(user, discussion)
    signed_in = getattr(user, "is_authenticated", False)
    post_url = reverse("discussions:comment-create", kwargs={"slug": discussion.slug})
    edit_url, withdraw_url, flag_url, moderate_url = (UrlPattern(f"discussions:{name}") for name in (
        "comment-edit", "comment-withdraw", "comment-flag", "comment-moderate"))
    for entry in entries:
        c = entry.comment
        urls = entry.urls = {}
        if entry.placeholder:
            continue
        if may_post and can_reply_to_comment(user, c):
            urls["reply"] = f"{post_url}?parent={c.pk}#answer"  # the form, past the header: a few Tabs to the text
        if entry.own:
            if can_edit_comment(user, c):
                urls["edit"] = edit_url(c.pk)
            if can_withdraw_comment(user, c):
                urls["withdraw"] = withdraw_url(c.pk)
        elif signed_in and can_flag_comment(user, c):
            urls["flag"] = flag_url(c.pk)
        if moderator:
            urls["moderate"] = moderate_url(c.pk)


def thread_html(entries: list[Entry]) -> SafeString:
    """The list of a thread: each cached fragment in its item, with the reader's own links after it.

    Built with string joins rather than a template loop: on a thousand comments the loop alone cost more than
    everything else on the page. Every value put in is either our own URL or escaped here."""
    from django.utils.html import escape
    from django.utils.translation import gettext

    labels = {
        "reply": (gettext("Reply"), "btn btn-sm btn-outline-primary"),
        "edit": (gettext("Edit"), "btn btn-sm btn-outline-secondary"),
        "withdraw": (gettext("Withdraw"), "btn btn-sm btn-outline-secondary"),
        "flag": (gettext("Report"), "btn btn-sm btn-link"),
        "moderate": (gettext("Moderate"), "btn btn-sm btn-link"),
    }
    parts = ['<ol class="thread list-unstyled">']
    for entry in entries:
        own = " own" if entry.own else ""
        parts.append(f'<li id="comment-{int(entry.comment.pk)}" class="thread-item indent-{int(entry.indent)}{own}">')
        parts.append(entry.html)
        if entry.urls:
            links = [f'<a href="{escape(url)}" class="{labels[name][1]}">{escape(labels[name][0])}</a>'
                     for name, url in entry.urls.items() if url and name in labels]
            parts.append('<div class="comment-actions">' + " ".join(links) + "</div>")
        parts.append("</li>\n")
    parts.append("</ol>")
    return mark_safe("".join(parts))  # fragments are autoescaped template output; the rest is escaped above
