"""The translation guard: every message of the code is translated in French, Spanish and Arabic, and every
compiled catalogue matches its .po.

`test_every_message_of_the_code_is_translated_in_every_language` regenerates the catalogues from the code
(makemessages for `django` and `djangojs`, into a temporary copy of hub/locale) and fails listing every
untranslated or fuzzy message. It fails until the translators' catalogues are merged: that is its job. The
checker itself is proved on a tiny synthetic project below, where it passes and fails as it should.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.translation_catalogues import Problem, catalogue_problems, compiled_problems, regenerate

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE)
LOCALE = Path(settings.BASE_DIR) / "hub" / "locale"

needs_gettext = pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
                                   reason="GNU gettext is not installed (make gettext)")


def _fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _report(problems: list[Problem]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems)


@needs_gettext
def test_every_message_of_the_code_is_translated_in_every_language(tmp_path):
    before = _fingerprint(LOCALE)
    regenerated = regenerate(source_root=Path(settings.BASE_DIR), locale_dir=LOCALE, work_dir=tmp_path,
                             languages=LANGUAGES)
    assert _fingerprint(LOCALE) == before, "the real catalogues must never be touched"
    problems = catalogue_problems(regenerated, languages=LANGUAGES)
    assert not problems, _report(problems)


def test_every_compiled_catalogue_says_what_its_po_says():
    problems = compiled_problems(LOCALE, languages=LANGUAGES)
    assert not problems, _report(problems)


# --- The checker, on a tiny synthetic project --------------------------------------------------------------------

def _project(root: Path) -> Path:
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "page.html").write_text(
        '{% load i18n %}<p>{% translate "Sign in" %}</p>'
        '{% blocktranslate count n=3 %}{{ n }} comment{% plural %}{{ n }} comments{% endblocktranslate %}\n')
    (root / "static").mkdir()
    (root / "static" / "app.js").write_text('document.title = gettext("Formatting");\n')
    return root


def _catalogue(path: Path, entries: list[polib.POEntry], plural_forms: str = "nplurals=2; plural=(n > 1);") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": path.parts[-3],
                   "Plural-Forms": plural_forms}
    po.extend(entries)
    po.save(str(path))
    subprocess.run(["msgfmt", "-o", str(path.with_suffix(".mo")), str(path)], check=True)


def _complete_locale(locale: Path) -> None:
    _catalogue(locale / "fr" / "LC_MESSAGES" / "django.po", [
        polib.POEntry(msgid="Sign in", msgstr="Se connecter"),
        polib.POEntry(msgid="%(n)s comment", msgid_plural="%(n)s comments",
                      msgstr_plural={0: "%(n)s commentaire", 1: "%(n)s commentaires"}),
    ])
    _catalogue(locale / "fr" / "LC_MESSAGES" / "djangojs.po", [polib.POEntry(msgid="Formatting", msgstr="Mise en forme")])


@needs_gettext
def test_the_checker_passes_a_project_whose_catalogues_are_complete(tmp_path):
    source = _project(tmp_path / "project")
    _complete_locale(tmp_path / "project" / "locale")
    regenerated = regenerate(source_root=source, locale_dir=source / "locale", work_dir=tmp_path / "work",
                             languages=("fr",), source_dirs=("templates", "static"))
    assert catalogue_problems(regenerated, languages=("fr",)) == []
    assert compiled_problems(source / "locale", languages=("fr",)) == []


@needs_gettext
def test_the_checker_lists_new_untranslated_fuzzy_and_missing_messages(tmp_path):
    source = _project(tmp_path / "project")
    _complete_locale(source / "locale")
    # A new string in the code, a translation a merge marked fuzzy, and a language with no catalogue at all.
    (source / "templates" / "new.html").write_text('{% load i18n %}{% translate "Workplan" %}\n')
    po_path = source / "locale" / "fr" / "LC_MESSAGES" / "djangojs.po"
    po = polib.pofile(str(po_path))
    po[0].flags.append("fuzzy")
    po.save()
    regenerated = regenerate(source_root=source, locale_dir=source / "locale", work_dir=tmp_path / "work",
                             languages=("fr", "ar"), source_dirs=("templates", "static"))
    problems = {(p.language, p.domain, p.kind, p.message) for p in catalogue_problems(regenerated, languages=("fr", "ar"))}
    assert ("fr", "django", "untranslated", "Workplan") in problems
    assert ("fr", "djangojs", "fuzzy", "Formatting") in problems
    # The Arabic catalogues are created by the regeneration, with every message untranslated.
    assert ("ar", "django", "untranslated", "Sign in") in problems
    assert ("ar", "django", "untranslated", "%(n)s comment | %(n)s comments") in problems
    assert ("ar", "djangojs", "untranslated", "Formatting") in problems
    assert ("fr", "django", "untranslated", "Sign in") not in problems
    # The synthetic source catalogues were only read.
    assert "Workplan" not in (source / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text()


@needs_gettext
def test_the_checker_finds_a_compiled_catalogue_older_than_its_po(tmp_path):
    locale = tmp_path / "locale"
    _complete_locale(locale)
    po_path = locale / "fr" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    po.find("Sign in").msgstr = "Connexion"
    po.save()  # the .mo still says "Se connecter"
    (locale / "fr" / "LC_MESSAGES" / "djangojs.mo").unlink()
    problems = {(p.domain, p.kind) for p in compiled_problems(locale, languages=("fr",))}
    assert problems == {("django", "stale .mo"), ("djangojs", "missing .mo")}
