"""Keep the per-area translation catalogs in step with the code.

    python scripts/i18n.py            extract, update every .po, compile .mo
    python scripts/i18n.py --check    exit 1 if a message lacks a zh_CN translation,
                                      a .po is behind the code, or a .mo says
                                      something other than its .po

The check compares what the catalogues say, never compiled bytes, so a
different Babel release (which may lay out a .mo differently) does not fail it.

Each area ``grants/<area>`` owns the messages of its Python files and of
``templates/<area>``; the core also owns the shared templates (base,
macros, errors).
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("zh_Hans_CN",)  # Babel resolves zh_CN to zh_Hans_CN
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
SHARED_TEMPLATES = ("base.html", "_page_header.html", "macros", "errors")


def area_sources(area: Path):
    yield from (("python", p) for p in sorted(area.rglob("*.py")))
    templates = ROOT / "templates" / area.name
    if templates.is_dir():
        yield from (("jinja", p) for p in sorted(templates.rglob("*.html")))
    if area.name == "core":
        for name in SHARED_TEMPLATES:
            target = ROOT / "templates" / name
            files = [target] if target.is_file() else sorted(target.rglob("*.html"))
            yield from (("jinja", p) for p in files)


def extract(area: Path) -> Catalog:
    catalog = Catalog(project="grants", charset="utf-8")
    for kind, path in area_sources(area):
        method = "python" if kind == "python" else babel_extract
        options = {"extensions": "jinja2.ext.i18n"} if kind == "jinja" else {}
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            catalog.add(message, None, [(str(path.relative_to(ROOT)), lineno)],
                        auto_comments=comments, context=context)
    return catalog


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def translations(catalog: Catalog) -> dict:
    """What a catalogue says: (context, English) -> translation, for every
    translated, non-fuzzy message (what a compiled .mo carries)."""
    return {(m.context, m.id): m.string for m in catalog
            if m.id and m.string and not m.fuzzy
            and not (isinstance(m.string, tuple) and not all(m.string))}


def mo_matches(mo: Path, catalog: Catalog) -> bool:
    if not mo.exists():
        return False
    with mo.open("rb") as fh:
        return translations(read_mo(fh)) == translations(catalog)


def areas():
    return sorted(p for p in (ROOT / "grants").iterdir() if p.is_dir() and (p / "__init__.py").exists())


def po_path(area: Path, locale: str) -> Path:
    return area / "translations" / locale / "LC_MESSAGES" / "messages.po"


def update() -> None:
    for area in areas():
        template = extract(area)
        if not len(template):
            continue
        for locale in LOCALES:
            path = po_path(area, locale)
            path.parent.mkdir(parents=True, exist_ok=True)
            before = None
            if path.exists():
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=locale)
                before = _messages(catalog)
                created = catalog.creation_date  # a fixed header: no merge conflicts on it
                catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
                catalog.creation_date = created
            else:
                catalog = Catalog(locale=locale, project="grants", charset="utf-8")
                catalog.update(template, no_fuzzy_matching=True)
            # Rewrite only what changed, without line numbers, so parallel
            # work on different areas does not collide in the catalogs.
            if before != _messages(catalog):
                with path.open("wb") as fh:
                    write_po(fh, catalog, width=0, omit_header=False, ignore_obsolete=True,
                             no_location=True)
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            mo = path.with_suffix(".mo")
            if not mo_matches(mo, catalog):
                mo.write_bytes(compiled(catalog))
            missing = [m.id for m in catalog if m.id and not m.string]
            if missing:
                print(f"{path.relative_to(ROOT)}: {len(missing)} untranslated")


def _messages(catalog: Catalog) -> list:
    return sorted((str(m.id), str(m.string), str(m.context)) for m in catalog if m.id)


def check() -> list[str]:
    problems = []
    # Catalogs are merged at run time, so one English message must have one
    # translation everywhere; otherwise whichever area loads last wins.
    seen: dict[str, dict[str, list[str]]] = {}
    for area in areas():
        path = po_path(area, LOCALES[0])
        if path.exists():
            with path.open("rb") as fh:
                for message in read_po(fh, locale=LOCALES[0]):
                    if message.id and message.string:
                        seen.setdefault(str(message.id), {}).setdefault(str(message.string), []).append(area.name)
    for msgid, strings in seen.items():
        if len(strings) > 1:
            problems.append(f"{msgid!r} is translated differently: {strings}")
    for area in areas():
        template = extract(area)
        if not len(template):
            continue
        for locale in LOCALES:
            path = po_path(area, locale)
            if not path.exists():
                problems.append(f"{path.relative_to(ROOT)} missing")
                continue
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            for message in template:
                if not message.id:
                    continue
                found = catalog.get(message.id, context=message.context)
                if found is None or not found.string or (
                    isinstance(found.string, tuple) and not all(found.string)
                ):
                    problems.append(f"{path.relative_to(ROOT)}: no translation for {message.id!r}")
            in_code = {(m.context, m.id) for m in template if m.id}
            for message in catalog:
                if message.id and (message.context, message.id) not in in_code:
                    problems.append(f"{path.relative_to(ROOT)}: {message.id!r} is no longer in the code: "
                                    "run scripts/i18n.py")
            mo = path.with_suffix(".mo")
            if not mo_matches(mo, catalog):
                problems.append(f"{mo.relative_to(ROOT)} does not match its .po: run scripts/i18n.py")
    return problems


if __name__ == "__main__":
    if "--check" in sys.argv:
        found = check()
        print("\n".join(found) or "all messages translated")
        sys.exit(1 if found else 0)
    update()
