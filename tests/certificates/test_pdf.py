"""Rendering: only data URIs, the font files and static files may be loaded; plain values only."""
import pytest
from weasyprint import HTML

from grants.certificates import pdf


class Recording(pdf.CertificateFetcher):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = []

    def fetch(self, url, headers=None):
        try:
            return super().fetch(url, headers)
        except pdf.ResourceRefused:
            self.refused.append(url)
            raise


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.org/a.css",
                                 "ftp://example.org/x", "file://other-host/usr/share/fonts/x.ttc",
                                 "file:///usr/share/fonts/opentype/noto/../../../../etc/passwd"])
def test_the_fetcher_refuses_everything_but_data_fonts_and_static_files(app, url):
    with pytest.raises(pdf.ResourceRefused):
        pdf.fetcher().fetch(url)


def test_the_fetcher_loads_data_uris_the_fonts_and_static_files(app, tmp_path):
    fetcher = pdf.fetcher()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for font in pdf.font_files():
        assert fetcher.allows(font.as_uri())
    static = pdf.CertificateFetcher(allowed_dirs=[tmp_path])
    (tmp_path / "seal.png").write_bytes(b"png")
    assert static.fetch((tmp_path / "seal.png").as_uri()).read() == b"png"


def test_a_document_asking_for_other_files_or_the_network_gets_nothing(app):
    fetcher = Recording(pdf.font_files())
    HTML(string='<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
                '<p style="background: url(https://example.org/x.png)">x</p>',
         url_fetcher=fetcher).write_pdf()
    assert set(fetcher.refused) == {"file:///etc/passwd", "http://127.0.0.1:9/x.css", "https://example.org/x.png"}


def values(**overrides):
    base = {"number": "XN-JB-2026-0001", "issuer": "市科学技术局", "project_title": "项目", "challenge_title": "榜单",
            "enterprise": "某公司", "organization": "某大学", "lead_name": "张三", "award": "¥1.00", "released": "¥0.00",
            "indicators": [], "conclusion": "通过", "issued_on": "2026年3月2日", "signed_at": "2026-03-02 10:00",
            "signer": "市科学技术局", "verify_url": "http://127.0.0.1:5000/verify/XN-JB-2026-0001"}
    base.update(overrides)
    return base


def test_urls_in_the_values_are_printed_never_fetched(app, monkeypatch):
    fetched = []
    original = pdf.CertificateFetcher.fetch
    monkeypatch.setattr(pdf.CertificateFetcher, "fetch", lambda self, url, headers=None: (
        fetched.append(url), original(self, url, headers))[1])
    html = pdf.render_html(values(conclusion='<img src="file:///etc/passwd">', lead_name="<script>x</script>",
                                  project_title='<link rel="stylesheet" href="http://127.0.0.1:9/a.css">'))
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html and "<script>x" not in html
    pdf.render_pdf(values(conclusion='<img src="file:///etc/passwd">'))
    assert not any(url.startswith(("file:///etc", "http")) for url in fetched)


def test_the_template_sees_plain_values_only(app):
    from jinja2.exceptions import SecurityError

    env = pdf._environment()
    with pytest.raises(SecurityError):
        env.from_string("{{ c.__class__.__mro__ }}").render(c=values())
    assert env.from_string("{{ c.lead_name }}").render(c=values()) == "张三"
    with pytest.raises(SecurityError):
        env.from_string("{{ c.update({'x': 1}) }}").render(c=values())


LOOK = ("font_family", "font_size", "font_weight", "font_style", "color", "letter_spacing", "background_color",
        "border_top_width", "border_top_color", "border_left_color", "text_align_all", "vertical_align", "overflow")


def _layout(document_class, html_text):
    """Every box of the rendered certificate: kind, position, size, text, the look of its
    text and borders; and the bookmarks."""
    font_config, stylesheet, url_fetcher = pdf._render_tools("certificate.css")
    document = document_class(string=html_text, url_fetcher=url_fetcher, base_url=pdf.TEMPLATE_DIR.as_uri() + "/") \
        .render(stylesheets=[stylesheet], font_config=font_config)
    boxes = []
    for page in document.pages:
        for box in page._page_box.descendants():
            boxes.append((type(box).__name__, getattr(box, "element_tag", None), round(box.position_x, 3),
                          round(box.position_y, 3), round(box.width or 0, 3), round(box.height or 0, 3),
                          getattr(box, "text", None),
                          tuple(str(box.style[name]) for name in LOOK)))
    return boxes, document.make_bookmark_tree()


@pytest.mark.parametrize("indicators", [
    [], [{"name": "定位精度", "unit": "μm", "target": "0.5", "promised": "0.5", "reached": "0.4", "binding": True},
         {"name": "响应时间 <b>ms</b>", "unit": "ms", "target": "2", "promised": "2", "reached": "1.8", "binding": False}]])
def test_the_certificate_lays_out_with_its_own_user_agent_rules_as_with_weasyprints(app, indicators):
    html = pdf.render_html(values(indicators=indicators, conclusion="项目完成了全部考核指标。\n同意通过验收。"))
    full, full_bookmarks = _layout(HTML, html)
    lean, lean_bookmarks = _layout(pdf.CertificateHTML, html)
    assert len(full) > 50 and any(box[6] and "验收" in box[6] for box in full)
    assert lean == full and lean_bookmarks == full_bookmarks
