"""Rendering a certificate to PDF with WeasyPrint.

The way Indico renders receipts: a sandboxed template fed plain values only
(strings, numbers, lists and dicts: no model objects, no request, no config),
autoescaped so that user text with HTML in it is printed as text, and a URL
fetcher that refuses every resource except ``data:`` URIs, the configured
font files and the application's own static files. The CJK font is named by
an ``@font-face`` rule pointing at its file, so WeasyPrint embeds (a subset
of) it in the PDF and the document reads the same on any machine.

Font configuration is costly to build (fontconfig parses the font once per
configuration), so each thread keeps one :class:`FontConfiguration` and the
stylesheet compiled against it, and reuses them for every render.
"""
from __future__ import annotations

import base64
import io
import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import qrcode
import qrcode.constants
from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from grants import ROOT
from grants.certificates.fonts import font_faces

TEMPLATE_DIR = ROOT / "templates" / "certificates"
DOCUMENT_LOCALE = "zh_CN"  # an official document of the bureau: always in Chinese

_env: ImmutableSandboxedEnvironment | None = None
_local = threading.local()
_certificate_ua: CSS | None = None


class ResourceRefused(ValueError):
    """The certificate asked for a resource outside what it may load."""


class CertificateFetcher(URLFetcher):
    """Loads ``data:`` URIs and the listed files (fonts, static files); refuses the rest."""

    def __init__(self, allowed_files=(), allowed_dirs=()):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.allowed_files = {Path(p).resolve() for p in allowed_files}
        self.allowed_dirs = [Path(d).resolve() for d in allowed_dirs]

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return True
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(url2pathname(parts.path)).resolve()
        return path in self.allowed_files or any(path.is_relative_to(d) for d in self.allowed_dirs)

    def fetch(self, url, headers=None):
        if not self.allows(url):
            raise ResourceRefused(f"certificate rendering may not load {url[:200]}")
        return super().fetch(url, headers)


def font_files() -> list[Path]:
    return [path for _family, path in font_faces()]


def _font_face_css() -> str:
    return "\n".join(f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}'
                     for family, path in font_faces())


def fetcher() -> CertificateFetcher:
    static = current_app.static_folder
    return CertificateFetcher(font_files(), [static] if static else [])


def _render_tools(stylesheet_name: str = "certificate.css"):
    """This thread's (font configuration, stylesheet, fetcher), built once per stylesheet."""
    tools = getattr(_local, "tools", None)
    if tools is None:
        tools = _local.tools = {}
    if stylesheet_name not in tools:
        font_config = getattr(_local, "font_config", None)
        if font_config is None:
            font_config = _local.font_config = FontConfiguration()
            _local.fetcher = fetcher()
        css_text = _font_face_css() + "\n" + (TEMPLATE_DIR / stylesheet_name).read_text("utf-8")
        stylesheet = CSS(string=css_text, font_config=font_config, url_fetcher=_local.fetcher)
        tools[stylesheet_name] = (font_config, stylesheet, _local.fetcher)
    return tools[stylesheet_name]


class CertificateHTML(HTML):
    """The certificate's document, cascaded against ``certificate-ua.css`` (the user-agent
    rules for the elements the certificate uses) instead of WeasyPrint's whole HTML5
    user-agent stylesheet, whose 250 rules (many of them attribute selectors tried on every
    element) are 6-11% of a certificate's render. The certificate's template is fixed and
    values are printed as text, so no other element can appear."""

    def _ua_stylesheets(self, forms=False):
        global _certificate_ua
        if _certificate_ua is None:
            _certificate_ua = CSS(filename=str(TEMPLATE_DIR / "certificate-ua.css"))
        return [_certificate_ua]


def _environment() -> ImmutableSandboxedEnvironment:
    global _env
    if _env is None:
        env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                                            undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                                            trim_blocks=True, lstrip_blocks=True)
        env.install_gettext_callables(gettext, ngettext, newstyle=True)
        _env = env
    return _env


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as a PNG ``data:`` URI. One pixel per module, scaled up
    without smoothing by the stylesheet: a few hundred bytes, and much cheaper
    for WeasyPrint to lay out and paint than an SVG of as many paths. The mask
    is fixed (any of the eight is valid): choosing the "best" one scores all
    eight in pure Python and costs five times the rest."""
    code = qrcode.QRCode(border=1, box_size=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    code.add_data(text)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render_html(values: dict) -> str:
    """The certificate's HTML from plain values (see the module doc)."""
    with force_locale(DOCUMENT_LOCALE):
        return _environment().get_template("certificate.html").render(
            c=values, qr=qr_data_uri(values["verify_url"]))


def _write_pdf(html_text: str, stylesheet_name: str, document_class: type[HTML] = HTML) -> bytes:
    """No ``pdf_identifier``: with one, pydyf serialises (and compresses at level 9) every
    object a second time to hash it, a fifth of a certificate's render; pyHanko gives the
    signed file its /ID."""
    font_config, stylesheet, url_fetcher = _render_tools(stylesheet_name)
    html = document_class(string=html_text, url_fetcher=url_fetcher, base_url=TEMPLATE_DIR.as_uri() + "/")
    return html.write_pdf(stylesheets=[stylesheet], font_config=font_config, pdf_identifier=False,
                          uncompressed_pdf=False)


def render_pdf(values: dict) -> bytes:
    return _write_pdf(render_html(values), "certificate.css", CertificateHTML)


def render_document(template: str, values: dict) -> bytes:
    """Another of the bureau's documents (a page of a project's archive) as PDF: the
    same sandbox, fonts and URL fetcher as the certificate, ``document.css`` for the look."""
    with force_locale(DOCUMENT_LOCALE):
        html_text = _environment().get_template(template).render(d=values)
    return _write_pdf(html_text, "document.css")
