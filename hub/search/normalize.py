"""Text as the index stores it, and a guess of the language it is written in."""
from __future__ import annotations

import re

# Private-use characters that mark highlighted words in snippets. They are removed from everything indexed, so a
# marker in a snippet always comes from the search engine, never from someone's text.
MARK_START = "\ue000"
MARK_END = "\ue001"

LANGUAGES = ("en", "fr", "es", "ar")

# C0 controls but tab and newline, DEL, and the two markers. NUL in particular: PostgreSQL refuses it in text.
_DROP = {code: None for code in (*range(0, 9), 11, 12, *range(14, 32), 127)}
_DROP[ord(MARK_START)] = None
_DROP[ord(MARK_END)] = None
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean_text(value: str | None, limit: int | None = None) -> str:
    """Plain text fit for the index: no control characters, no lone surrogates, runs of spaces folded, at most
    `limit` characters."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_DROP)
    # A lone surrogate (from a broken PDF) cannot be encoded for the database.
    value = value.encode("utf-8", "replace").decode("utf-8")
    value = _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", value)).strip()
    if limit is not None and len(value) > limit:
        value = value[:limit]
    return value


_STOPWORDS = {
    "en": set("the and of to in is are that for with on this be we as it by our not or have from which their "
              "will should would also its these has been more".split()),
    "fr": set("le la les des et est une un du dans pour que qui sur nous pas avec au aux ce ces sont par plus "
              "leur leurs être cette été ont vous".split()),
    "es": set("el los las del y es una un en por para con que se no al lo como más su sus nuestra nuestro este "
              "esta son ser han también".split()),
}
_WORD = re.compile(r"[^\W\d_]+")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _code, _words in _STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _code)


def guess_language(text: str | None) -> str:
    """'ar' for text mostly in Arabic script; else 'en', 'fr' or 'es' when the language's most common words clearly
    outnumber the others'; '' when unsure (the text is then indexed without stemming)."""
    if not text:
        return ""
    words = _WORD.findall(text[:3000].lower())
    if not words:
        return ""
    if _ARABIC.search(text, 0, 3000):
        arabic = sum(1 for word in words if _ARABIC.match(word))
        if arabic > len(words) * 0.3:
            return "ar"
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in words:
        for code in _LANGUAGES_OF.get(word, ()):
            counts[code] += 1
    best, runner_up = sorted(counts.values(), reverse=True)[:2]
    if best < 2 or best < runner_up * 1.5:
        return ""
    return max(counts, key=counts.get)
