"""The generic transition and history endpoints, on a small test-only workflow.

A Gadget table lives on its own metadata and is created inside the test's
transaction; its API blueprint is put on a second application that shares
that transaction (an application takes no new routes once it has served).
"""
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import current_app, request
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from grants.api.auth import body_limit
from grants.api.base import add_history, add_transitions, api_blueprint
from grants.core import audit, clock
from grants.core.models import Versioned
from grants.core.workflow import Workflow, transition
from grants.extensions import db
from tests.api.helpers import ApiClient, error_of


class GadgetBase(DeclarativeBase):
    pass


def _not_on_sunday(attempt):
    return "周日不办理" if clock.to_local(attempt.now).weekday() == 6 else None


def _owner_only(attempt):
    return None if attempt.actor.id == attempt.obj.owner_id else "只有所有者可以提交"


GADGET_FLOW = Workflow(
    "api_gadget",
    states={"draft": "草稿", "submitted": "已提交", "approved": "已批准"},
    initial="draft",
    transitions=[
        transition("submit", "draft", "submitted", roles={"applicant"}, label="提交",
                   allow=_owner_only, guards=[_not_on_sunday]),
        transition("approve", "submitted", "approved", roles={"officer"}, label="批准"),
        transition("return_it", "submitted", "draft", roles={"officer"}, label="退回", comment_required=True),
    ],
)


class Gadget(Versioned, GadgetBase):
    __tablename__ = "test_api_gadgets"
    __audit_type__ = "api_gadget"
    __workflow__ = GADGET_FLOW

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    owner_id: Mapped[int]


def load_gadget(gadget_id, user):
    """The owner and officers see a gadget; for anyone else it does not exist."""
    gadget = db.session.get(Gadget, gadget_id)
    if gadget is None or user is None or (user.role != "officer" and user.id != gadget.owner_id):
        return None
    return gadget


blp = api_blueprint("gadgets", __name__, "/gadgets")
add_transitions(blp, Gadget, load_gadget)
add_history(blp, Gadget, load_gadget)


@blp.route("/<int:gadget_id>/photo", methods=["PUT"])
@body_limit(2 * 1024 * 1024)
def put_photo(gadget_id):
    return {"size": len(request.get_data())}


@pytest.fixture(scope="module")
def gadget_app():
    from grants import create_app
    from grants.api.setup import register
    from tests.conftest import Config

    other = create_app(Config)
    register(other, blp)
    return other


@pytest.fixture
def gadget_api(gadget_app, app):
    engines = db._app_engines[gadget_app]
    original = engines[None]
    engines[None] = db._app_engines[current_app._get_current_object()][None]
    GadgetBase.metadata.create_all(db.session.connection())
    client = gadget_app.test_client()
    yield lambda token=None, lang=None: ApiClient(client, token, lang)
    engines[None] = original


@pytest.fixture
def gadget(make):
    owner = make.user("applicant")
    item = Gadget(owner_id=owner.id)
    db.session.add(item)
    db.session.commit()
    return item, owner


def fire_over_api(client, item, name, **body):
    return client.post(f"/gadgets/{item.id}/transitions/{name}", body if body else None)


def test_an_allowed_transition_answers_with_state_and_event(gadget_api, gadget, make):
    item, owner = gadget
    response = fire_over_api(gadget_api(make.token(owner)), item, "submit", comment="齐了", version=1)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["state"] == "submitted" and data["version"] == 2
    event = data["event"]
    assert (event["action"], event["from_state"], event["to_state"], event["actor_id"], event["comment"]) == \
        ("submit", "draft", "submitted", owner.id, "齐了")
    db.session.refresh(item)
    assert item.state == "submitted"
    assert [e.id for e in audit.history(item)] == [event["id"]]


def test_what_the_caller_may_try_now(gadget_api, gadget, make):
    item, owner = gadget
    owner_client = gadget_api(make.token(owner))
    assert owner_client.get(f"/gadgets/{item.id}/transitions").get_json() == [
        {"name": "submit", "label": "提交", "comment_required": False}]
    fire_over_api(owner_client, item, "submit")
    officer = gadget_api(make.token(make.user("officer")))
    assert [t["name"] for t in officer.get(f"/gadgets/{item.id}/transitions").get_json()] == ["approve", "return_it"]
    assert gadget_api(make.token(make.user("applicant"))).get(f"/gadgets/{item.id}/transitions").status_code == 404


def test_a_transition_without_a_body(gadget_api, gadget, make):
    item, owner = gadget
    response = gadget_api(make.token(owner)).post(f"/gadgets/{item.id}/transitions/submit")
    assert response.status_code == 200 and response.get_json()["state"] == "submitted"


def test_a_guard_refusal_is_409_with_its_reason(gadget_api, gadget, make):
    item, owner = gadget
    clock.set_now(clock.from_local(datetime(2026, 3, 8, 10)))  # a Sunday
    response = fire_over_api(gadget_api(make.token(owner)), item, "submit")
    assert response.status_code == 409
    assert error_of(response) == {"code": "refused", "message": "周日不办理", "details": {"evidence": {}}}
    db.session.refresh(item)
    assert item.state == "draft" and audit.history(item) == []


def test_a_role_that_may_not_is_403(gadget_api, gadget, make):
    item, owner = gadget
    client = gadget_api(make.token(owner))
    fire_over_api(client, item, "submit")
    response = fire_over_api(client, item, "approve")
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "forbidden" and error["message"] == "您的角色无权执行“批准”。"


def test_the_wrong_state_and_a_missing_comment_are_refused(gadget_api, gadget, make):
    item, _owner = gadget
    officer = gadget_api(make.token(make.user("officer")), lang="en")
    response = fire_over_api(officer, item, "approve")
    assert response.status_code == 409 and error_of(response)["code"] == "refused"
    assert "is not possible while it is" in error_of(response)["message"]


def test_unknown_transitions_and_invisible_objects_are_404(gadget_api, gadget, make):
    item, owner = gadget
    stranger = gadget_api(make.token(make.user("applicant")))
    assert fire_over_api(stranger, item, "submit").status_code == 404
    owner_client = gadget_api(make.token(owner))
    for path in (f"/gadgets/{item.id}/transitions/explode", f"/gadgets/{item.id + 999}/transitions/submit"):
        response = owner_client.post(path)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert fire_over_api(gadget_api(), item, "submit").status_code == 401


def test_a_stale_version_is_409_conflict(gadget_api, gadget, make):
    item, owner = gadget
    fire_over_api(gadget_api(make.token(owner)), item, "submit")
    officer = gadget_api(make.token(make.user("officer")))
    response = fire_over_api(officer, item, "approve", version=1)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict" and "已被他人修改" in error["message"]
    db.session.refresh(item)
    assert item.state == "submitted"


def test_unknown_body_fields_are_422(gadget_api, gadget, make):
    item, owner = gadget
    response = fire_over_api(gadget_api(make.token(owner)), item, "submit", state="approved")
    assert response.status_code == 422
    assert error_of(response)["details"] == {"state": "不是可识别的字段"}


def test_history_of_what_the_caller_may_see(gadget_api, gadget, make):
    item, owner = gadget
    client = gadget_api(make.token(owner))
    fire_over_api(client, item, "submit", comment="齐了")
    response = client.get(f"/gadgets/{item.id}/history")
    assert response.status_code == 200
    assert [(e["action"], e["comment"]) for e in response.get_json()] == [("submit", "齐了")]
    assert gadget_api(make.token(make.user("applicant"))).get(f"/gadgets/{item.id}/history").status_code == 404
    assert gadget_api().get(f"/gadgets/{item.id}/history").status_code == 404


def test_the_openapi_document_lists_the_transitions(gadget_api):
    spec = gadget_api().client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/api/v1/gadgets/{object_id}/transitions/{name}"]
    operation = path["post"]
    [name] = [p for p in path["parameters"] if p["name"] == "name"]
    assert name["schema"]["enum"] == ["approve", "return_it", "submit"]
    assert "`return_it`" in operation["description"]


def test_an_operation_taking_files_sets_its_own_body_limit(gadget_api):
    client = gadget_api().client
    fits = client.put("/api/v1/gadgets/1/photo", data=b"x" * (1536 * 1024))
    assert fits.status_code == 200 and fits.get_json() == {"size": 1536 * 1024}
    too_big = client.put("/api/v1/gadgets/1/photo", data=b"x" * (2048 * 1024 + 1))
    assert too_big.status_code == 413 and error_of(too_big)["message"] == "请求内容超过 2048 KB。"
