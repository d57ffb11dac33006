"""The parts of every page that do not depend on the page's data, made once.

The bar and the menu at the top (``templates/_page_header.html``) differ only by the
locale, the role (which menu), the page (which menu entry is marked) and whether the
inbox has unread messages: they are rendered once per worker for each such combination
and then filled in with this request's CSRF token, path, account name and unread count,
each escaped as the template would have escaped it. Bootstrap's stylesheet and script
tags depend only on the configuration and are rendered once.

Rendering the top of the page was most of the cost of a page without queries (issue 15:
Jinja's calls for the translations, ``url_for`` and the menu's labels).
"""
from __future__ import annotations

from dataclasses import replace

from flask import current_app, has_request_context, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from grants.core.i18n import select_locale
from grants.core.registry import nav_for

# Stand-ins that survive the template's escaping unchanged and occur nowhere else.
CSRF, NEXT, USER, ROLE, UNREAD = (f"\x1egrants-{name}\x1e" for name in ("csrf", "next", "user", "role", "unread"))
_HEADERS = "grants.page_headers"
_ASSETS = "grants.asset_tags"


def page_header() -> Markup:
    """The top of the page for this request."""
    from grants.notifications.services import unread_count  # an area above the core

    signed_in = bool(current_user.is_authenticated)
    unread = unread_count(current_user) if signed_in else None
    locale = select_locale()
    key = (locale, current_user.role if signed_in else None, request.endpoint, unread is None, bool(unread))
    cache = current_app.extensions.setdefault(_HEADERS, {})
    html = cache.get(key)
    if html is None:
        from grants.core.setup import shown_label  # the setup module installs this one

        html = render_template(
            "_page_header.html", languages=current_app.config["LANGUAGES"], current_locale=locale,
            nav_items=[replace(item, label=shown_label(item.label)) for item in nav_for(current_user)],
            endpoint=request.endpoint, signed_in=signed_in, user_name=USER, role_label=ROLE,
            unread=None if unread is None else (UNREAD if unread else 0), csrf=CSRF, next_path=NEXT)
        cache[key] = html
    html = html.replace(CSRF, str(escape(generate_csrf()))).replace(NEXT, str(escape(request.full_path)))
    if signed_in:
        html = (html.replace(USER, str(escape(current_user.display_name)))
                .replace(ROLE, str(escape(current_user.role_label))).replace(UNREAD, str(unread)))
    return Markup(html)


def asset_tags(kind: str) -> Markup:
    """Bootstrap's ``<link>`` (``css``) or ``<script>`` (``js``) tags, as Bootstrap-Flask
    writes them for this configuration."""
    tags = current_app.extensions.setdefault(_ASSETS, {})
    if kind not in tags:
        source = "{{ bootstrap.load_css() }}" if kind == "css" else "{{ bootstrap.load_js() }}"
        rendered = Markup(current_app.jinja_env.from_string(source).render())
        if not has_request_context():
            return rendered
        tags[kind] = rendered
    return tags[kind]


def init_app(app) -> None:
    app.jinja_env.globals.update(page_header=page_header, asset_tags=asset_tags)
