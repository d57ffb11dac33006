"""The README's quick start, walked as a newcomer walks it: through the pages and the
``flask clock`` / ``flask tick`` commands, on the stored demo clock.

Accounts and organisations come from the factories, as the demo seed makes them;
everything else is done by posting the forms the pages show, following the links
they offer.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest

from grants.core import clock
from tests.factories import rows

REAL_NOW = datetime(2026, 12, 1, 8, 0)  # 16:00 in Beijing
PASSWORD = "password123"


# reading pages -------------------------------------------------------------------

class _Page(HTMLParser):
    """The forms (action, default values, buttons), links and badges of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links = [], []
        self.badges = []  # the badges, the first one the page's state, e.g. "open for bids"
        self._form = self._textarea = self._link = self._button = self._badge = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "span" and "badge" in (a.get("class") or "").split():
            self._badge = len(self.badges)
            self.badges.append("")
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}, "buttons": []}
            self.forms.append(self._form)
        elif tag == "a" and a.get("href"):
            self._link = [a["href"], ""]
            self.links.append(self._link)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio"):
            self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("name") and "checked" in a:
            self._form["fields"][a["name"]] = a.get("value") or "y"
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""
        elif tag == "button":
            self._button = [a.get("name"), a.get("value") or "", ""]
            self._form["buttons"].append(self._button)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea:
            fields = self._form["fields"]
            fields[self._textarea] = fields[self._textarea].removeprefix("\n")  # as browsers read it
            self._textarea = None
        elif tag == "a":
            self._link = None
        elif tag == "button":
            self._button = None
        elif tag == "span":
            self._badge = None

    def handle_data(self, data):
        if self._textarea:
            self._form["fields"][self._textarea] += data
        if self._link is not None:
            self._link[1] += data.strip()
        if self._button is not None:
            self._button[2] += data.strip()
        if self._badge is not None:
            self.badges[self._badge] += data.strip()


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


class Browser:
    """A user at the browser: opens pages, follows links, presses the buttons of forms."""

    def __init__(self, client):
        self.client = client
        self.url, self.html = "/", ""

    def sign_in(self, user):
        self.client.post("/logout")
        response = self.client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.client.post("/lang/en", data={"next": "/"})
        return self.open("/dashboard")

    def sign_out(self):
        self.client.post("/logout")
        return self.open("/")

    def open(self, url: str) -> str:
        response = self.client.get(url, follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        self.url, self.html = response.request.path, response.get_data(as_text=True)
        return self.html

    def follow(self, text: str) -> str:
        links = _parse(self.html).links
        hrefs = [href for href, label in links if label == text] or [href for href, label in links if text in label]
        assert hrefs, f"no link {text!r} on {self.url}"
        return self.open(urljoin(self.url, hrefs[0]))

    def press(self, button: str, row: dict | None = None, **fields) -> str:
        """Fill in ``fields`` on the first form with the button labelled ``button`` (of those
        holding the values in ``row``, e.g. the row of one reviewer) and press it."""
        for form in _parse(self.html).forms:
            # A row's values are the form's fields, or the pressed button's own name and value.
            pressed = next((b for b in form["buttons"] if b[2] == button and not (row and any(
                form["fields"].get(name) != value and (b[0], b[1]) != (name, value) for name, value in row.items()))),
                None)
            if pressed is not None:
                break
        else:
            raise AssertionError(f"no button {button!r} on {self.url}")
        data = {**form["fields"], **fields}
        if pressed[0]:
            data[pressed[0]] = pressed[1]
        response = self.client.post(urljoin(self.url, form["action"] or self.url), data=data,
                                    follow_redirects=True)
        assert response.status_code == 200, (form["action"], response.status_code)
        self.url, self.html = response.request.path, response.get_data(as_text=True)
        return self.html

    def state(self) -> str:
        """The state label shown at the top of the page."""
        return self.badges()[0]

    def badges(self) -> list[str]:
        return _parse(self.html).badges

    def sees(self, *texts: str) -> None:
        for text in texts:
            assert text in self.html, f"{text!r} not on {self.url}: {self.text()[-1500:]}"

    def text(self) -> str:
        """What the page reads, for the message when an expected text is missing."""
        return " ".join(re.sub(r"(?s)<(script|style).*?</\1>|<[^>]+>", " ", self.html).split())


@pytest.fixture
def demo_clock_running(monkeypatch):
    """The stored demo clock instead of the tests' frozen one; the machine's time is pinned."""
    frozen = clock.now()
    clock.set_now(None)
    monkeypatch.setattr(clock, "real_now", lambda: REAL_NOW)
    yield
    clock.set_now(frozen)


@pytest.fixture
def flask_cmd(app):
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return run


# the walk --------------------------------------------------------------------------

def test_a_challenge_walks_from_draft_to_project_through_the_pages(demo_clock_running, client, make, flask_cmd):
    me = Browser(client)
    people = _accounts(make)
    challenge_url = _enterprise_drafts_and_submits(me, people["enterprise"])
    _officer_publishes(me, people["officer"], challenge_url)
    _team_bids(me, people["team_a"], challenge_url, partner=people["partner"].organization)
    _partner_confirms(me, people["partner"])
    _team_submits(me, people["team_a"])
    _team_bids(me, people["team_b"], challenge_url)
    _team_submits(me, people["team_b"])

    assert "close_bidding: 0" in flask_cmd("tick")  # the deadline is 30 days away
    assert "Demo clock: 2027-01-01 16:00 Asia/Shanghai" in flask_cmd("clock", "advance", "31d")
    assert "close_bidding: 1" in flask_cmd("tick")
    _officer_checks_eligibility(me, people["officer"])
    _officer_starts_the_review(me, people["officer"], challenge_url, people["reviewers"])
    for reviewer in people["reviewers"]:
        _reviewer_accepts_and_scores(me, reviewer)
    _officer_proposes_the_award(me, people["officer"])

    me.sign_out()  # anyone may read the notice
    me.follow("Challenge board")
    me.follow("Adaptive servo control")
    assert me.state() == "award under public notice"
    me.follow("Public notice of award")
    me.sees("The bureau proposes the award below", "Bid of Team A", "Team A University", "¥400,000")
    assert "Bid of Team B" not in me.html

    assert "Demo clock: 2027-01-06 16:00 Asia/Shanghai" in flask_cmd("clock", "advance", "5d")
    assert "confirm_awards: 1" in flask_cmd("tick")
    me.follow("Challenge board")
    me.follow("Adaptive servo control")
    assert me.state() == "awarded"
    me.follow("Public notice of award")
    me.sees("The award is confirmed.", "Bid of Team A")

    me.sign_in(people["team_a"])
    me.follow("Projects")
    me.sees("Bid of Team A", "Team A University", "¥400,000")
    assert me.badges() == ["contracting (task agreement)"]
    me.sign_in(people["team_b"])
    me.follow("Projects")
    me.sees("None found.")


def _accounts(make) -> dict:
    """As the demo seed makes them."""
    return {
        "enterprise": make.user("enterprise", org=make.org("Servo Motors Ltd", kind="enterprise")),
        "officer": make.user("officer", name="Officer Wang"),
        "team_a": make.user("applicant", org=make.org("Team A University", kind="university")),
        "partner": make.user("applicant", org=make.org("Partner Institute", kind="institute")),
        "team_b": make.user("applicant", org=make.org("Team B University", kind="university")),
        "reviewers": [make.reviewer(name=f"Expert {n}") for n in (1, 2, 3)],
    }


def _enterprise_drafts_and_submits(me: Browser, enterprise) -> str:
    me.sign_in(enterprise)
    me.follow("My challenges")
    me.follow("Post a challenge")
    deadline = clock.to_local(REAL_NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    me.press("Save draft", title="Adaptive servo control", field="smart_manufacturing",
             problem="Positioning accuracy of current servo systems is insufficient.",
             budget_yuan="500000", enterprise_cofunding_yuan="200000", max_winners="1", pass_mark="60",
             deadline=deadline, duration_months="24", notice_days="5",
             **rows("indicators",
                    {"name": "Positioning accuracy", "target_value": "0.5", "unit": "μm", "binding": True},
                    {"name": "Response time", "target_value": "2", "unit": "ms", "binding": False}))
    me.sees("Draft saved.", "Adaptive servo control")
    assert me.state() == "draft"
    challenge_url = me.url
    me.press("Submit for publication")
    me.sees("Done: Submit for publication.")
    assert me.state() == "submitted for publication"
    me.follow("Dashboard")
    me.sees("Adaptive servo control", "submitted for publication")
    return challenge_url


def _officer_publishes(me: Browser, officer, challenge_url: str) -> None:
    me.sign_in(officer)
    me.sees("Challenges awaiting publication")
    me.follow("Adaptive servo control")
    assert me.url == challenge_url
    me.press("Publish")
    me.sees("Done: Publish.")
    assert me.state() == "open for bids"


def _team_bids(me: Browser, team, challenge_url: str, partner=None) -> None:
    me.sign_in(team)
    me.follow("Adaptive servo control")  # on the dashboard: challenges open for bids
    assert me.url == challenge_url
    me.press("Bid on this challenge")
    me.sees("A draft bid was started")
    name = team.organization.name.removesuffix(" University")
    indicators = {field: value for field, value in _parse(me.html).forms[-1]["fields"].items()
                  if field.startswith("indicator_")}
    assert len(indicators) == 2
    me.press("Save draft", title=f"Bid of {name}", technical_approach="Adaptive robust control with MPC.",
             **rows("milestones", {"month": "12", "title": "Prototype", "deliverable": "One prototype"}),
             requested_yuan="400000", equipment_yuan="200000",
             materials_yuan="100000", personnel_yuan="100000", other_yuan="0", own_cofunding_yuan="800000",
             **rows("partners", {"credit_code": partner.credit_code if partner else ""}), declaration="y",
             **{field: "0.4" for field in indicators})
    me.sees("Draft saved.", f"Bid of {name}")
    assert me.state() == "draft"


def _partner_confirms(me: Browser, partner) -> None:
    me.sign_in(partner)
    me.sees("Invitations to partner in a bid", "waiting for your confirmation")
    me.follow("Review and confirm")
    me.sees("Invitation to partner in a bid", "Bid of Team A", "Team A University")
    me.press("Confirm our participation")
    me.sees("Participation confirmed.", "Your organisation confirmed its participation")


def _team_submits(me: Browser, team) -> None:
    me.sign_in(team)
    me.follow("Bid of Team")  # on the dashboard: my bids
    me.press("Submit the bid")
    me.sees("Done: Submit the bid.")
    assert me.state() == "submitted"


def _officer_checks_eligibility(me: Browser, officer) -> None:
    me.sign_in(officer)
    me.sees("Demo clock: the system time is 2027-01-01 16:00 (not real time).")
    me.sees("Closed challenges awaiting the eligibility check")
    me.follow("Adaptive servo control")
    me.sees("Eligibility check", "Bid of Team A", "Bid of Team B")
    for _team in ("A", "B"):
        me.press("Eligible")
        me.sees("Done: Eligible")
    assert me.badges() == ["eligible", "eligible"]


def _officer_starts_the_review(me: Browser, officer, challenge_url: str, reviewers) -> None:
    me.follow("Adaptive servo control")  # from the eligibility check back to the challenge
    assert me.url == challenge_url and me.state() == "bidding closed"
    me.press("Start the expert review")
    me.sees("Done: Start the expert review.")
    assert me.state() == "under expert review"
    me.follow("Review panel")
    for reviewer in reviewers:
        me.press("Assign", row={"reviewer_id": str(reviewer.id)})
        me.sees(f"{reviewer.display_name} is assigned.")
    assert me.badges().count("awaiting declaration") == 3


def _reviewer_accepts_and_scores(me: Browser, reviewer) -> None:
    me.sign_in(reviewer)
    me.follow("Adaptive servo control")  # on the dashboard: my reviews
    assert me.state() == "awaiting declaration"
    me.press("Accept the assignment", no_conflict="y")
    me.sees("Thank you: your declaration is recorded.")
    assert me.state() == "accepted"
    for bid, score in (("Bid of Team A", "85"), ("Bid of Team B", "65")):
        me.follow(bid)
        fields = _parse(me.html).forms[-1]["fields"]
        scores = {field: score for field in fields if field.startswith("score_")}
        comments = {field: "Sound and well argued." for field in fields if field.startswith("comment_")}
        assert len(scores) == len(comments) == 5  # the default rubric
        me.press("Submit the review", opinion="recommend", **scores, **comments)
        me.sees("Your review is submitted.", "Submitted and locked.")
        me.follow("Adaptive servo control")  # back to the assignment
    assert me.state() == "all reviews submitted"


def _officer_proposes_the_award(me: Browser, officer) -> None:
    me.sign_in(officer)
    me.follow("Expert review")
    me.follow("Adaptive servo control")
    me.sees("Every review is in")
    me.follow("Propose the award and start the public notice")  # the panel's primary action
    me.sees("Scores and ranking")
    ranking = re.findall(r'name="winners" value="(\d+)".*?<td rowspan="\d+">([^<]+)<', me.html, re.S)
    assert [title for _bid, title in ranking] == ["Bid of Team A", "Bid of Team B"]
    me.press("Propose the award and start the public notice", winners=ranking[0][0])
    me.sees("The award is proposed and under public notice.", "Public notice")
    assert me.state() == "award under public notice"
