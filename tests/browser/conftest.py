"""A real server for the browser tests: the app on loopback (a free port, werkzeug's server in a
thread) over a temporary SQLite database with the demo data and the demo clock, and Debian's
Chromium driven by Playwright (never a downloaded browser).

The tests read as the English source strings; the pages are in Chinese, the default, and
:meth:`Site.t` gives the text a user sees. ``SCREENSHOTS=1`` saves the README's pictures in
docs/screenshots/.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from grants.core.demo import DEMO_PASSWORD as PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


class Site:
    """The running app: its address, its clock and the words its pages use."""

    def __init__(self, app, url: str, browser, folder: Path):
        self.app, self.url, self.browser, self.folder = app, url, browser, folder
        self._pages: dict = {}

    def t(self, text: str, **values) -> str:
        """``text`` as the Chinese interface shows it."""
        from flask_babel import force_locale, gettext

        with self.app.test_request_context(), force_locale("zh_CN"):
            return gettext(text, **values)

    def advance(self, days: int) -> None:
        """``flask clock advance <days>d``."""
        from grants.core import demo_clock
        from grants.extensions import db

        with self.app.app_context():
            demo_clock.advance_clock(timedelta(days=days))
            db.session.commit()

    def tick(self) -> dict:
        """``flask tick``."""
        from grants.core.cli import run_tick

        with self.app.app_context():
            return run_tick()

    def query(self, fn):
        """``fn()`` in an application context: a look at the database, to find an address."""
        with self.app.app_context():
            return fn()

    @contextmanager
    def signed_in(self, email: str | None, *, width: int = 1280):
        """The page of ``email``'s browser (None: an anonymous visitor), each user with cookies of
        their own, signed in at their first step. Every confirmation dialog is accepted, as a user
        who means it would; a script error or anything the Content-Security-Policy refused fails.

        Each user keeps one page, as a person keeps one tab: Chromium may never finish closing a
        page whose last navigation is still settling, so pages are not closed between steps."""
        key = (email, width)
        if key not in self._pages:
            context = self.browser.new_context(base_url=self.url, locale="zh-CN",
                                               viewport={"width": width, "height": 900})
            context.set_default_timeout(10_000)
            page = context.new_page()
            errors: list = []
            page.on("dialog", lambda dialog: dialog.accept())
            page.on("pageerror", lambda error: errors.append(error))
            page.on("console", lambda message: errors.append(message.text)  # a script or style the CSP refused
                    if message.type == "error" and "Content Security Policy" in message.text else None)
            self._pages[key] = (context, page, errors)
            if email:
                page.goto("/login")
                page.fill("input[name=email]", email)
                page.fill("input[name=password]", PASSWORD)
                page.get_by_role("button", name=self.t("Sign in"), exact=True).click()
                page.wait_for_url("**/dashboard")
        _, page, errors = self._pages[key]
        errors.clear()
        page.goto("/dashboard" if email else "about:blank")
        try:
            yield page
        except Exception as exc:  # say where the user was and what the page read
            try:
                exc.add_note(f"on {page.url}:\n{page.locator('body').inner_text(timeout=2_000)[-2000:]}")
            except Exception:
                exc.add_note(f"on {page.url}")
            raise
        assert not errors, f"script errors on {page.url}: {errors}"

    def close(self) -> None:
        for context, _, _ in self._pages.values():
            context.close()

    def screenshot(self, page, name: str) -> None:
        if os.environ.get("SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("browser tests run on SQLite only (their own database, not the one under test)")
    if not Path(CHROMIUM).exists():
        missing = (f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium; "
                   "scripts/setup.sh installs it when run as root)")
        if os.environ.get("CI"):  # .ci/run sets it up: a CI without it must not pass unseen
            pytest.fail(missing)
        pytest.skip(missing)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from config import DevelopmentConfig
    from grants import create_app
    from grants.core import clock
    from grants.certificates.fonts import font_faces
    from grants.core.demo import seed

    folder = tmp_path_factory.mktemp("site")

    class SiteConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'site.sqlite3'}"
        UPLOAD_FOLDER = str(folder / "uploads")
        RATELIMIT_ENABLED = False
        PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
        DEMO_CLOCK = True

    clock.set_now(None)  # the stored demo clock, as the server reads it
    app = create_app(SiteConfig)
    with app.app_context():
        upgrade()
        seed()
        font_faces()  # the certificate's fonts, prepared once per machine (tens of seconds the first time)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    if os.environ.get("SCREENSHOTS") == "1":
        print(f"\n[browser] screenshots go to {SCREENSHOTS}")
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--headless", "--no-sandbox", "--disable-gpu"])
            site = Site(app, f"http://127.0.0.1:{server.server_port}", browser, folder)
            try:
                yield site
            finally:
                site.close()
                browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
