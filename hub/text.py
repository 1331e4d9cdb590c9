"""The one place user HTML is cleaned. Every HTML field is passed through `clean_html` when it is saved.

nh3 (the Ammonia sanitizer) is the sanitizer of record. bleach is used only for `linkify` (turning bare URLs
into links), and its output always goes through nh3 afterwards.
"""
from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

import bleach
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ol", "ul", "li", "blockquote", "a", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# ammonia keeps `lang` and `title` on every tag unless the generic ("*") set is given explicitly as empty.
_NH3_ATTRIBUTES = {"*": set(), **ALLOWED_ATTRIBUTES}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
# Removed together with everything inside them (ammonia's own default set, plus Word's clutter).
DROP_WITH_CONTENT = {"script", "style", "title", "xml", "template", "noscript", "iframe", "object", "svg", "math"}

_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Word and rich editors leave spacer paragraphs (`<p class=MsoNormal><o:p>&nbsp;</o:p></p>`) that render as gaps.
_EMPTY_PARAGRAPH_RE = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>\s*")


def _is_invisible(char: str) -> bool:
    """Control, format (zero-width, bidi) and other characters a reader cannot see."""
    return unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} or char in "\u00a0\u3000"


def safe_href(value: str) -> str | None:
    """The href if it is an absolute http(s) or mailto URL with nothing hidden in it, otherwise None."""
    url = value.strip()
    if not url or any(_is_invisible(ch) for ch in url) or any(ch.isspace() for ch in url):
        return None
    match = _SCHEME_RE.match(url)
    if not match or match.group(1).lower() not in ALLOWED_URL_SCHEMES:
        return None
    if match.group(1).lower() in ("http", "https") and not url[match.end():].startswith("//"):
        return None
    return url


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return safe_href(value)
    return value


def clean_html(value: str | None) -> str:
    """Sanitize user HTML to the allowlist: paragraphs, emphasis, lists, quotes, h3/h4 and safe links."""
    if not value:
        return ""
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=_NH3_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return _EMPTY_PARAGRAPH_RE.sub("", cleaned).strip()


def clean_html_for_display(value: str | None) -> SafeString:
    """Stored HTML cleaned once more and marked safe for a template: the only way user HTML reaches a page."""
    return mark_safe(clean_html(value))  # clean_html's output holds only allowlisted markup


def _linkify_callback(attrs: dict, new: bool = False) -> dict | None:
    return attrs


def linkify_and_clean(value: str | None) -> str:
    """Turn bare URLs and e-mail addresses in pasted text into links, then sanitize with nh3."""
    if not value:
        return ""
    linked = bleach.linkify(value, callbacks=[_linkify_callback], parse_email=True, skip_tags={"a", "pre", "code"})
    return clean_html(linked)


def text_to_html(text: str) -> str:
    """Plain text (a textarea without the editor) to clean HTML: blank lines split paragraphs, newlines become <br>."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    parts = ["<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs]
    return linkify_and_clean("".join(parts))


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "h3", "h4", "blockquote", "ul", "ol", "div"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.lists: list[list] = []  # each: [kind, counter]
        self.quote_depth = 0
        self.indent = ""

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()  # \s also folds Word's no-break spaces
        if text:
            self.lines.append(("> " * self.quote_depth) + self.indent + text)
        self.current = []
        self.indent = ""

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS or tag == "li":
            self._flush()
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            self.indent = "  " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.current.append(f"{self.lists[-1][1]}. ")
            else:
                self.current.append("- ")
        elif tag == "blockquote":
            self.quote_depth += 1
        elif tag == "br":
            self._flush()

    def handle_endtag(self, tag):
        if tag in self.BLOCKS or tag == "li":
            self._flush()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1

    def handle_data(self, data):
        self.current.append(data)


def html_to_text(value: str | None) -> str:
    """Readable plain text of clean HTML: one line per paragraph or list item, lists numbered or dashed."""
    if not value:
        return ""
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    parser._flush()
    return "\n".join(parser.lines)
