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

FRAGMENT_TEMPLATE = "discussions/_comment.html"  # the reference that fragment_html reproduces
# Bump when the fragment (fragment_html, _comment.html) changes in a way the data digest cannot see.
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
                   c.author_organisation_confirmed, c.author_country, c.show_personal_name, c.created_at, c.edited_at, c.edit_count, c.highlighted,
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
    strings = None
    for entry, digest in zip(entries, digests):
        html = stored.get(digest)
        if html is None:
            strings = strings or _Strings()
            html = fragment_html(_fragment_context(entry, discussion, attachment_url, memo), strings)
            fresh += 1
        current[digest] = html
        entry.html = mark_safe(html)  # rendered by our own autoescaping template
    if fresh or len(current) != len(stored):
        try:
            cache.set(key, current, timeout=FRAGMENT_TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("Could not store rendered comments", exc_info=True)


class _Strings:
    """The fragment's fixed words in the active language, translated once per page, not per comment. As in
    {% translate %}, translations are trusted text and not escaped."""

    def __init__(self) -> None:
        from django.utils.translation import gettext as t

        self.hidden = t("Hidden by the moderator.")
        self.hidden_reason = t("Hidden by the moderator: %(reason)s")
        self.unavailable = t("This comment is no longer shown; the replies to it are.")
        self.highlighted = t("Highlighted by the moderator")
        self.unconfirmed = t("unconfirmed")
        self.unconfirmed_long = t("this person's membership of the organisation has not been confirmed")
        self.link = t("Link to this comment")
        self.edited = t("edited")
        self.awaiting = t("Awaiting moderation")
        self.only_you_pending = t("Only you can see this comment until a moderator publishes it.")
        self.declined = t("Declined")
        self.declined_reason = t("The moderator's reason: %(reason)s")
        self.only_you = t("Only you can see this comment.")
        self.reply_to = t('In reply to <a href="#comment-%(pk)s">%(name)s</a>')
        self.reply_to_earlier = t("In reply to an earlier comment")
        self.about = t("About")
        self.files = t("Attached files")
        self.response = t("Response of the secretariat")
        self.response_label = t("Response of the secretariat:")
        from django.utils.dates import MONTHS

        self.months = {number: str(name) for number, name in MONTHS.items()}
        self.chips: dict = {}

    # The date filter's "j F Y, H:i", "j F Y" and "c", without parsing the format for each of a thousand dates.
    def day(self, value) -> str:
        return f"{value.day} {self.months[value.month]} {value.year:04d}"

    def minute(self, value) -> str:
        return f"{self.day(value)}, {value.hour:02d}:{value.minute:02d}"


def _local(value):
    from django.utils.timezone import template_localtime

    return template_localtime(value)


def fragment_html(context: dict, strings: _Strings) -> str:
    """One comment's fragment: what templates/discussions/_comment.html renders (that template is the readable
    reference, and a test holds the two equal on every shape), built with string joins because rendering the
    template a thousand times took most of a cold page. Every value put in is escaped here or is clean HTML."""
    from django.template.defaultfilters import filesizeformat, linebreaks_filter, truncatechars

    entry, c = context["entry"], context["c"]
    Status = Comment.Status
    pk = int(c.pk)
    placeholder = entry.placeholder
    classes = "comment"
    if c.highlighted and not placeholder:
        classes += " comment-highlighted"
    if c.status == Status.PENDING:
        classes += " comment-pending"
    elif c.status == Status.DECLINED:
        classes += " comment-declined"
    out = [f'<article class="{classes}" aria-labelledby="comment-{pk}-by">\n']
    if placeholder == "hidden":
        text = (strings.hidden_reason % {"reason": escape(c.hidden_reason)}) if c.hidden_reason else strings.hidden
        out.append(f'<p class="comment-placeholder mb-0" id="comment-{pk}-by">{text}</p>\n')
    elif placeholder:
        out.append(f'<p class="comment-placeholder mb-0" id="comment-{pk}-by">{strings.unavailable}</p>\n')
    else:
        if c.highlighted:
            out.append(f'<p class="comment-highlight-label mb-1"><span class="badge text-bg-warning">'
                       f'{strings.highlighted}</span></p>\n')
        shown_name = c.shown_name
        author = f'<strong class="comment-name">{escape(shown_name)}</strong>'
        if c.show_personal_name and c.author_organisation:
            author += f'<span class="comment-org">, {escape(c.author_organisation)}</span>'
        if c.author_organisation and not c.author_organisation_confirmed:
            author += (f'<span class="org-unconfirmed text-body-secondary"> ({strings.unconfirmed}'
                       f'<span class="visually-hidden">: {strings.unconfirmed_long}</span>)</span>')
        out.append(f'<header class="comment-header">\n<span class="comment-author" id="comment-{pk}-by">{author}'
                   f'</span>\n')
        if c.author_badge and c.author_organisation_confirmed and shown_name != c.author_badge:
            out.append(f'<span class="badge text-bg-primary comment-badge">{escape(c.author_badge)}</span>\n')
        if context["group_label"]:
            out.append(f'<span class="comment-group">{escape(context["group_label"])}</span>\n')
        created = _local(c.created_at)
        out.append(f'<a class="comment-date" href="#comment-{pk}" title="{strings.link}"><time datetime="'
                   f'{created.isoformat()}">{escape(strings.minute(created))}</time></a>\n')
        if c.edit_count:
            edited = strings.edited
            if c.edited_at:
                edited_at = _local(c.edited_at)
                edited += (f' <time datetime="{edited_at.isoformat()}">{escape(strings.day(edited_at))}'
                           f'</time>')
            out.append(f'<span class="comment-edited">{edited}</span>\n')
        out.append("</header>\n")
        if c.status == Status.PENDING:
            out.append(f'<p class="comment-status comment-status-pending mb-2"><span class="badge text-bg-secondary">'
                       f'{strings.awaiting}</span> {strings.only_you_pending}</p>\n')
        elif c.status == Status.DECLINED:
            reason = (strings.declined_reason % {"reason": escape(c.decline_reason)}) if c.decline_reason else ""
            out.append(f'<p class="comment-status comment-status-declined mb-2"><span class="badge text-bg-danger">'
                       f'{strings.declined}</span> {reason} {strings.only_you}</p>\n')
    if entry.reply_to:
        if entry.reply_to_name:
            text = strings.reply_to % {"pk": int(entry.reply_to.pk), "name": escape(entry.reply_to_name)}
        else:
            text = f'<a href="#comment-{int(entry.reply_to.pk)}">{strings.reply_to_earlier}</a>'
        out.append(f'<p class="comment-reply-to mb-1">{text}</p>\n')
    if not placeholder:
        out.append(f'<div class="comment-body">{context["body"]}</div>\n')
        priority_chips, group_chips = context["priority_chips"], context["group_chips"]
        if priority_chips or group_chips:
            out.append(f'<ul class="comment-tags list-inline mb-2" aria-label="{strings.about}">\n')
            chips = strings.chips
            for p, url in priority_chips:
                chip = chips.get(("p", p.pk, url))
                if chip is None:  # the same few priorities on every comment: each chip is built once per page
                    label, title = escape(p.label), escape(p.title)
                    chip = chips[("p", p.pk, url)] = (
                        f'<li class="list-inline-item"><a class="chip chip-priority" href="{escape(url)}" '
                        f'title="{label}: {title}">{escape(p.code)} <span class="visually-hidden">{label}: '
                        f'</span><span class="chip-title">{escape(truncatechars(p.title, 60))}</span></a></li>')
                out.append(chip)
            out.append("\n")
            for g, url in group_chips:
                chip = chips.get(("g", g.pk, url))
                if chip is None:
                    chip = chips[("g", g.pk, url)] = (
                        f'<li class="list-inline-item"><a class="chip chip-group" href="{escape(url)}">'
                        f'{escape(g.name)}</a></li>')
                out.append(chip)
            out.append("\n</ul>\n")
        if context["attachments"]:
            out.append(f'<ul class="comment-files list-unstyled mb-2" aria-label="{strings.files}">\n')
            for a, url, type_name in context["attachments"]:
                out.append(f'<li><a href="{escape(url)}" download>{escape(a.original_name)}</a> '
                           f'<span class="text-body-secondary">({escape(type_name)}, '
                           f'{escape(filesizeformat(a.size))})</span></li>')
            out.append("\n</ul>\n")
        disposition = context["disposition"]
        if disposition:
            out.append(f'<aside class="comment-response" aria-label="{strings.response}">\n<p class="mb-1"><strong>'
                       f'{strings.response_label}</strong> {escape(disposition.get_outcome_display())}</p>\n')
            if disposition.rationale:
                out.append(linebreaks_filter(disposition.rationale, autoescape=True))
            out.append("\n</aside>\n")
    out.append("</article>")
    return "".join(out)


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
            urls["reply"] = f"{post_url}?parent={c.pk}"
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
