"""Rules every page keeps: irreversible actions ask first, no inline script (the pages run
under a Content-Security-Policy without 'unsafe-inline'), Bootstrap served by the app."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Endpoints whose POST cannot be taken back: the form, or its submit button, asks first.
IRREVERSIBLE = ("revoke", "withdraw", "decide_gate", "answer_objection", "confirm_outcome", "issue",
                "recuse", "_active", "propose", "start", "confirm_agreement", "waive", "decide_objection")


def _post_forms():
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*>", text, re.S):
            tag = match.group(0)
            if 'method="post"' in tag:
                body = text[match.end():text.find("</form>", match.end())]
                yield path.relative_to(TEMPLATES), tag, body


def test_every_irreversible_form_asks_for_confirmation():
    missing = []
    for path, tag, body in _post_forms():
        action = re.search(r'action="([^"]*)"', tag)
        target = (action.group(1) if action else "") + " ".join(re.findall(r'formaction="([^"]*)"', body))
        if any(word in target for word in IRREVERSIBLE) and "data-confirm" not in tag + body:
            missing.append(f"{path}: {target}")
    assert missing == []


def test_the_transition_buttons_confirm_the_dangerous_ones():
    macro = (TEMPLATES / "macros" / "ui.html").read_text(encoding="utf-8")
    assert "{% if t.style == 'danger' %}data-confirm=" in macro


def test_no_template_has_inline_script_or_event_handlers():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        found += [f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
    assert found == []


def test_bootstrap_and_the_scripts_are_served_by_the_app(client):
    html = client.get("/").get_data(as_text=True)
    css, js = re.findall(r'href="(/bootstrap/[^"]+\.css)"', html), re.findall(r'src="(/bootstrap/[^"]+\.js)"', html)
    assert css and js and "cdn" not in html.lower()
    for url in css + js + ["/static/js/app.js", "/static/css/app.css"]:
        assert client.get(url).status_code == 200, url
