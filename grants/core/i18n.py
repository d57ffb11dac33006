"""Language choice and per-area translation catalogs.

Every area keeps its own catalog under ``grants/<area>/translations`` so
areas can be added without touching a shared file; Flask-Babel merges them.
Source strings are English; zh_CN is the default language.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app, request, session

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LANGUAGE_COOKIE = "lang"  # the language chosen on this browser (pages only, not the API)
LANGUAGE_COOKIE_DAYS = 365


def translation_directories() -> list[str]:
    return sorted(str(p) for p in PACKAGE_DIR.glob("*/translations") if p.is_dir())


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    api = bool(request) and request.path.startswith("/api/")
    # The API ignores the browser session: its language comes from the request.
    chosen = (session.get("lang") or request.cookies.get(LANGUAGE_COOKIE)) if request and not api else None
    if chosen in languages:
        return chosen
    if request and (api or request.args.get("lang")):
        asked = request.args.get("lang")
        if asked in languages:
            return asked
        best = request.accept_languages.best_match(languages + ("zh", "en-US", "en-GB"))
        if best:
            return "en" if best.startswith("en") else "zh_CN"
    return current_app.config["BABEL_DEFAULT_LOCALE"]
