"""Bad input gets a 4xx in the one error shape, never a 500 or an HTML page."""
import io
import json

import pytest

from tests.api.helpers import error_of


def test_malformed_json_is_a_bad_request(officer_api):
    response = officer_api.post("/integrity/entries", data='{"list": "black",',
                                content_type="application/json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request" and error["message"] == "请求内容不是有效的 JSON。"


def test_a_body_that_is_not_an_object_is_refused(officer_api):
    response = officer_api.post("/integrity/entries", ["black"])
    assert response.status_code == 422
    assert error_of(response)["details"] == {"_schema": "须为 JSON 对象"}


def test_unknown_fields_are_refused_by_name(officer_api):
    response = officer_api.post("/integrity/entries/1/revoke", {"reason": "x", "force": True})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["details"] == {"force": "不是可识别的字段"}
    assert "force" in error["message"]


def test_text_no_database_can_store_is_refused(officer_api):
    response = officer_api.post("/integrity/entries/1/revoke", {"reason": "a\x00b"})
    assert response.status_code == 422
    assert error_of(response)["details"] == {"reason": "含有不允许的字符"}
    in_query = officer_api.get("/organizations", query_string={"q": "a\x00b"})
    assert in_query.status_code == 422
    assert error_of(in_query)["details"] == {"q": "含有不允许的字符"}


def test_a_body_over_one_megabyte_is_refused_from_its_length(officer_api):
    huge = json.dumps({"reason": "x" * (1024 * 1024 + 1)})
    response = officer_api.post("/integrity/entries/1/revoke", data=huge, content_type="application/json")
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "payload_too_large" and "1024 KB" in error["message"]


def test_a_streamed_body_over_one_megabyte_is_cut_off(officer_api):
    body = io.BytesIO(json.dumps({"reason": "x" * (1024 * 1024 + 1)}).encode())
    response = officer_api.client.post(
        "/api/v1/integrity/entries/1/revoke", input_stream=body,
        headers={**officer_api.headers(), "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


@pytest.mark.parametrize("path", ["/no/such/thing", "/integrity/entries/99999999999", "/integrity/entries/-1"])
def test_unknown_routes_are_not_found_in_json(api, path):
    response = api().get(path)
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "该页面不存在，或您无权查看。", "details": {}}


def test_wrong_method_is_refused_in_json(officer_api):
    response = officer_api.client.delete("/api/v1/integrity/entries", headers=officer_api.headers())
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_bad_paging_parameters_name_the_parameter(officer_api):
    response = officer_api.get("/integrity/entries", query_string={"page": 0, "page_size": "many"})
    assert response.status_code == 422
    assert error_of(response)["details"] == {"page": "须不小于 1", "page_size": "须为整数"}
    too_big = officer_api.get("/integrity/entries", query_string={"page_size": 1000})
    assert error_of(too_big)["details"] == {"page_size": "须在 1 与 100 之间"}


def test_a_form_body_is_not_json(officer_api):
    response = officer_api.post("/integrity/entries/1/revoke", data="reason=x")
    assert response.status_code == 422
    assert error_of(response)["details"] == {"reason": "为必填项"}


def test_english_messages_on_request(api):
    response = api(lang="en").get("/no/such/thing")
    assert error_of(response)["message"] == "There is no such page, or it is not visible to you."


def test_the_browser_language_choice_does_not_leak_into_the_api(api, client):
    client.post("/lang/en", data={"next": "/"})
    assert error_of(api().get("/me"))["message"].startswith("需要 API 令牌")


def test_pages_keep_their_html_error_pages(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "text/html" in response.content_type
