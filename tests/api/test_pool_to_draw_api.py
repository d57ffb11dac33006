"""An integrator builds the expert pool with the command line and the API alone
(no page, no factory for the experts) and the officer draws a panel through the API."""
from grants.extensions import db
from tests.api.documented import documented_api as api  # noqa: F401  (every answer checked)
from tests.api.helpers import error_of
from tests.factories import id_number
from tests.reviews.helpers import reviewing


def cli(app, *args, input=None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def create_expert(app, email: str, name: str) -> None:
    cli(app, "users", "create", "--email", email, "--name", name, "--role", "reviewer",
        "--id-number", id_number(), input="a-long-password\n")


def token_for(app, email: str) -> str:
    return cli(app, "tokens", "create", "--email", email).strip().splitlines()[-1]


def test_experts_set_up_by_command_and_api_are_drawn_for_a_challenge(app, api, make):
    challenge, officer_user, bids = reviewing(make, n_bids=2)  # field: smart manufacturing
    officer = api(make.token(officer_user))
    draw = f"/reviews/challenges/{challenge.id}/draw"

    # No expert has a profile yet: there is nobody to draw.
    empty = officer.post(draw, {"size": 1})
    assert empty.status_code == 409
    assert error_of(empty)["message"] == "该领域仅有 0 名符合条件的专家，无法抽取 1 名。"

    # The administrator creates four expert accounts and sets two profiles by command.
    for n, name in enumerate(["甲专家", "乙专家", "丙专家", "丁专家"], start=1):
        create_expert(app, f"expert{n}@example.cn", name)
    bidder = bids[0].organization
    cli(app, "reviewers", "set", "--email", "expert1@example.cn", "--fields", "smart_manufacturing",
        "--title", "教授", "--employer", bidder.credit_code)
    cli(app, "reviewers", "set", "--email", "expert2@example.cn", "--fields", "smart_manufacturing,new_materials",
        "--title", "研究员")

    # Two experts keep their own profiles through the API with their tokens.
    expert3 = api(token_for(app, "expert3@example.cn"))
    saved = expert3.put("/reviewers/me", {"fields": ["smart_manufacturing"], "title": "高级工程师"})
    assert saved.status_code == 200, saved.get_json()
    expert4 = api(token_for(app, "expert4@example.cn"))
    assert expert4.put("/reviewers/me", {"fields": ["biomedicine"]}).status_code == 200

    # The officer sees the pool and, on the panel, who may be drawn and why not.
    pool = officer.get("/reviewers", query_string={"field": "smart_manufacturing"}).get_json()
    assert sorted(r["name"] for r in pool) == ["丙专家", "乙专家", "甲专家"]
    candidates = {c["name"]: c for c in officer.get(f"/reviews/challenges/{challenge.id}").get_json()["candidates"]}
    assert candidates["甲专家"]["qualified"] is False
    assert candidates["甲专家"]["reason"] == "就职于本榜单的揭榜单位"
    assert candidates["丁专家"]["eligible"] is True and candidates["丁专家"]["field_match"] is False
    assert candidates["乙专家"]["qualified"] and candidates["丙专家"]["qualified"]

    too_many = officer.post(draw, {"size": 3})
    assert too_many.status_code == 409
    assert error_of(too_many)["message"] == "该领域仅有 2 名符合条件的专家，无法抽取 3 名。"
    drawn = officer.post(draw, {"size": 2, "seed": 20260302})
    assert drawn.status_code == 201, drawn.get_json()
    body = drawn.get_json()
    assert body["seed"] == 20260302
    assert sorted(a["reviewer"] for a in body["assignments"]) == ["丙专家", "乙专家"]
    assert all(a["drawn"] and a["state"] == "assigned" for a in body["assignments"])

    # The drawn expert finds the assignment with their own token.
    mine = expert3.get("/reviews").get_json()
    assert [a["challenge_id"] for a in mine] == [challenge.id]
    db.session.expire_all()
