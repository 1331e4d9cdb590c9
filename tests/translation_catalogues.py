"""The translation guard's checker: regenerate the catalogues from the code and list what is not translated.

Never touches the real catalogues: the sources are copied to a temporary folder with a copy of the locale folder
beside them, and `makemessages` (which merges new strings into existing .po files with msgmerge) runs there.
Problems found:
- a message of the code that is untranslated or fuzzy in a language's catalogue (after regeneration);
- a catalogue that does not exist yet for a language (every message of the code is then untranslated);
- a compiled .mo that is missing or says something else than its .po (compiled from an older version).
"""
from __future__ import annotations

import gettext
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import polib
from django.core.management import call_command
from django.test.utils import override_settings

DOMAINS = ("django", "djangojs")
# What makemessages reads: the apps, the site's templates and its own static JavaScript.
SOURCE_DIRS = ("hub", "discussions", "workplan", "templates", "static")
_SKIP = shutil.ignore_patterns("locale", "__pycache__", "*.pyc", "migrations", "media", "staticfiles")


@dataclass(frozen=True)
class Problem:
    language: str
    domain: str
    kind: str  # "untranslated", "fuzzy", "missing catalogue", "stale .mo", "missing .mo"
    message: str = ""

    def __str__(self) -> str:
        where = f"{self.language}/{self.domain}"
        return f"{where}: {self.kind}" + (f": {self.message!r}" if self.message else "")


def _label(entry: polib.POEntry) -> str:
    text = entry.msgid if not entry.msgid_plural else f"{entry.msgid} | {entry.msgid_plural}"
    return f"{entry.msgctxt}\x04{text}" if entry.msgctxt else text


def regenerate(*, source_root: Path, locale_dir: Path, work_dir: Path, languages: tuple[str, ...],
               source_dirs: tuple[str, ...] = SOURCE_DIRS) -> Path:
    """Copy the sources and the catalogues into work_dir and run makemessages there; returns the copy's locale
    folder. The real `locale_dir` is only read."""
    tree = work_dir / "src"
    tree.mkdir(parents=True)
    for name in source_dirs:
        if (source_root / name).is_dir():
            shutil.copytree(source_root / name, tree / name, ignore=_SKIP)
    copy = work_dir / "locale"
    if locale_dir.is_dir():
        shutil.copytree(locale_dir, copy)
    else:
        copy.mkdir()
    previous = os.getcwd()
    os.chdir(tree)
    try:
        with override_settings(LOCALE_PATHS=[str(copy)]):
            for domain in DOMAINS:
                call_command("makemessages", locale=list(languages), domain=domain, verbosity=0,
                             ignore_patterns=["locale"], no_obsolete=True)
    finally:
        os.chdir(previous)
    return copy


def catalogue_problems(locale_dir: Path, *, languages: tuple[str, ...], domains: tuple[str, ...] = DOMAINS,
                       require: bool = True) -> list[Problem]:
    """Untranslated and fuzzy messages of each language's catalogues. `require`: a missing catalogue is a
    problem (a regenerated folder always has one per language when the code has messages of that domain)."""
    problems: list[Problem] = []
    for language in languages:
        for domain in domains:
            po_path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
            if not po_path.exists():
                if require:
                    problems.append(Problem(language, domain, "missing catalogue"))
                continue
            for entry in polib.pofile(str(po_path)):
                if entry.obsolete:
                    continue
                if "fuzzy" in entry.flags:
                    problems.append(Problem(language, domain, "fuzzy", _label(entry)))
                elif not entry.translated():
                    problems.append(Problem(language, domain, "untranslated", _label(entry)))
    return problems


def compiled_problems(locale_dir: Path, *, languages: tuple[str, ...], domains: tuple[str, ...] = DOMAINS
                      ) -> list[Problem]:
    """Each .po has a .mo that says the same: the translations Django would load equal the .po's."""
    problems: list[Problem] = []
    for language in languages:
        for domain in domains:
            po_path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
            mo_path = po_path.with_suffix(".mo")
            if not po_path.exists():
                continue
            if not mo_path.exists():
                problems.append(Problem(language, domain, "missing .mo", "run manage.py compilemessages"))
                continue
            # The header ("") is left out: msgfmt and polib write the same metadata in different layouts.
            with mo_path.open("rb") as handle:
                compiled = {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items() if k != ""}
            expected = {k: v for k, v in gettext.GNUTranslations(_as_mo(po_path))._catalog.items() if k != ""}
            if compiled != expected:
                changed = sorted(str(k) for k in set(compiled) ^ set(expected)
                                 | {k for k in set(compiled) & set(expected) if compiled[k] != expected[k]})
                problems.append(Problem(language, domain, "stale .mo",
                                        f"differs from its .po on {len(changed)} message(s), e.g. {changed[:3]}; "
                                        "run manage.py compilemessages"))
    return problems


def _as_mo(po_path: Path):
    """The .po compiled in memory the way msgfmt does (fuzzy entries left out)."""
    import io

    return io.BytesIO(polib.pofile(str(po_path)).to_binary())
