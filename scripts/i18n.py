"""Liaison's message catalogues: what the code says that the Italian (or any) catalogue lacks, and a tool
to add it.

    python scripts/i18n.py check [--lang it]          # missing, obsolete and mismatched messages; exit 1 if any
    python scripts/i18n.py pot                        # write each package's .pot (every message in its code)
    python scripts/i18n.py missing --lang it --package bot [--out FILE.po]
                                                      # a .po of the messages without a translation, to fill in

Two packages keep catalogues: `knowledge` (answers, not-covered messages) in `knowledge/locale/`, and `bot`
(Slack, App Home, modals, digests, reminders, the CLI) in `bot/i18n/locale/`. Messages are found by Babel's
Python extractor: calls of `_`, `N_`, `gettext` and `ngettext` (singular and plural) with literal strings.
"""

from __future__ import annotations

import argparse
import string
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"knowledge": ROOT / "knowledge" / "locale", "bot": ROOT / "bot" / "i18n" / "locale"}
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


@dataclass(frozen=True)
class Found:
    ids: tuple[str, ...]  # (singular,) or (singular, plural)
    where: str  # file:line of the first use


def extract(package: str) -> dict[str, Found]:
    """Every message of the package's code, by its (singular) msgid."""
    out: dict[str, Found] = {}
    base = ROOT / package
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(base), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    ):
        ids = message if isinstance(message, tuple) else (message,)
        if not ids or not ids[0]:
            continue
        out.setdefault(ids[0], Found(tuple(i for i in ids if i), f"{package}/{filename}:{lineno}"))
    return out


def translations(package: str, lang: str) -> dict[str, tuple[object, str]]:
    """msgid -> (translation: a text, or a tuple of plural forms; file) over every .po of the language."""
    out: dict[str, tuple[object, str]] = {}
    for path in sorted((PACKAGES[package] / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as f:
            for m in read_po(f, locale=lang):
                key = str(m.id[0] if isinstance(m.id, (tuple, list)) else m.id)
                if key and key not in out:
                    out[key] = (m.string, path.name)
    return out


def fields(text: str) -> set[str]:
    """The `str.format` fields of a text ('{count}', '{name!r}' -> {'count', 'name'})."""
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def problems(package: str, lang: str) -> list[str]:
    found = extract(package)
    have = translations(package, lang)
    out: list[str] = []
    for msgid, f in found.items():
        if msgid not in have:
            out.append(f"missing   {f.where}: {msgid!r}")
            continue
        string_ = have[msgid][0]
        forms = [str(s or "") for s in (string_ if isinstance(string_, (tuple, list)) else (string_,))]
        if not all(forms):
            out.append(f"untranslated {f.where}: {msgid!r}")
            continue
        want = set().union(*(fields(i) for i in f.ids))
        for form in forms:
            if fields(form) - want or (len(forms) == 1 and fields(form) != fields(f.ids[0])):
                out.append(f"fields    {f.where}: {msgid!r} -> {form!r}")
    for msgid, (_s, filename) in have.items():
        if msgid not in found:
            out.append(f"obsolete  {package}/.../{lang}/LC_MESSAGES/{filename}: {msgid!r}")
    return out


def catalogue(package: str, lang: str | None, only_missing: bool) -> Catalog:
    cat = Catalog(locale=lang, project="Liaison", charset="utf-8")
    have = translations(package, lang) if lang else {}
    for msgid, f in sorted(extract(package).items(), key=lambda kv: kv[1].where):
        if only_missing and msgid in have and have[msgid][0]:
            continue
        key: str | tuple[str, ...] = f.ids if len(f.ids) > 1 else f.ids[0]
        cat.add(
            key,
            string=("", "") if len(f.ids) > 1 else "",
            locations=[(f.where.rsplit(":", 1)[0], int(f.where.rsplit(":", 1)[1]))],  # noqa: E501
        )
    return cat


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["check", "pot", "missing"])
    p.add_argument("--lang", default="it")
    p.add_argument("--package", choices=sorted(PACKAGES), action="append")
    p.add_argument("--out", type=Path)
    a = p.parse_args(argv)
    packages = a.package or sorted(PACKAGES)
    if a.action == "check":
        bad = [f"[{pkg}] {line}" for pkg in packages for line in problems(pkg, a.lang)]
        print("\n".join(bad) if bad else f"{a.lang}: every message of {', '.join(packages)} is translated")
        return 1 if bad else 0
    for pkg in packages:
        cat = catalogue(pkg, None if a.action == "pot" else a.lang, only_missing=a.action == "missing")
        out = a.out if a.out and len(packages) == 1 else (PACKAGES[pkg] / f"{pkg}.pot" if a.action == "pot" else None)
        if out is None:
            write_po(sys.stdout.buffer, cat, width=120, omit_header=True)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("wb") as f:
                write_po(f, cat, width=120)
            print(f"wrote {out} ({len(cat)} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
