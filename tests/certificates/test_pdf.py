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
