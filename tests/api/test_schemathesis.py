"""Property-based checks of the whole API against its own OpenAPI document.

Every operation gets generated requests, valid and invalid, anonymously and
as an officer: the server must never fail (500) and every answer must match
the document. The cases run inside the test's transaction, like any request.

The suite runs a small, repeatable sample; for a wider random search run
``API_FUZZ_EXAMPLES=300 pytest tests/api/test_schemathesis.py``.
"""
import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "0")) or 10
REPEATABLE = "API_FUZZ_EXAMPLES" not in os.environ


def exercise(app, headers: dict, *, prefixes=("/api/v1/",), path_ids: dict | None = None) -> int:
    """Generated requests for every operation under ``prefixes``; ``path_ids``
    pins path parameters (e.g. to a record the caller may see)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(prefixes):
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=REPEATABLE,
                      suppress_health_check=list(HealthCheck))
            def check(case):
                for name, value in (path_ids or {}).items():
                    if name in (case.path_parameters or {}):
                        case.path_parameters[name] = value
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:
                # Nothing to break in an operation without inputs (GET /me).
                assert mode == GenerationMode.NEGATIVE, operation.label
    return operations


def test_api_conforms_to_its_document_anonymously(app):
    assert exercise(app, {}) >= 7


def test_api_conforms_to_its_document_for_an_officer(app, make):
    token = make.token(make.user("officer"))
    assert exercise(app, {"Authorization": f"Bearer {token}"}) >= 7


def test_profiles_and_objections_conform_for_a_listed_expert(app, make):
    """An expert on the black list: their own profile, their entry and objections to it."""
    expert = make.reviewer()
    entry = make.black(expert.person)
    token = make.token(expert)
    assert exercise(app, {"Authorization": f"Bearer {token}"}, prefixes=("/api/v1/reviewers", "/api/v1/integrity"),
                    path_ids={"entry_id": entry.id, "reviewer_id": expert.id}) >= 10
