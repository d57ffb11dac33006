"""One entry search for the officers' page and the API: name, code or basis."""
from tests.api.helpers import ApiClient
from tests.factories import black_list, id_number


def test_page_and_api_find_an_entry_by_name_code_or_basis(app, make, login):
    org = make.org(name="搜索测试单位")
    entry = black_list(org, basis="咸科技发〔2026〕777号")
    black_list(make.org(name="另一单位"), basis="咸科技发〔2026〕888号")
    officer = make.user("officer")
    api = ApiClient(app.test_client(), make.token(officer))
    client = login(officer)
    for q in ("搜索测试", org.credit_code.lower(), org.credit_code[:17], "〔2026〕777"):
        found = api.get("/integrity/entries", query_string={"q": q}).get_json()
        assert [row["id"] for row in found] == [entry.id], q
        html = client.get("/integrity/", query_string={"q": q}).get_data(as_text=True)
        assert "搜索测试单位" in html and "另一单位" not in html, q
    assert api.get("/integrity/entries", query_string={"q": "无此记录"}).get_json() == []


def test_short_chinese_names_are_found_and_codes_match_from_their_start(app, make, login):
    zhang_wei = black_list(("person", id_number(), "张伟"))
    zhang_weiguo = black_list(("person", id_number(), "张伟国"))
    li = black_list(("person", id_number(), "李"))
    officer = make.user("officer")
    api = ApiClient(app.test_client(), make.token(officer))

    def found(q):
        return {row["id"] for row in api.get("/integrity/entries", query_string={"q": q}).get_json()}

    assert found("张伟") == {zhang_wei.id, zhang_weiguo.id}
    assert found("伟国") == {zhang_weiguo.id}
    assert found("李") == {li.id}
    assert found("张 伟") == set()
    assert found("%") == set() and found("_") == set()  # no wildcards
    code = li.subject_code
    assert found(code) == {li.id}
    assert found(code[:10].lower()) >= {li.id}
    assert found(code[6:14]) == set()  # the middle of a code is not its start
    html = login(officer).get("/integrity/", query_string={"q": "张伟"}).get_data(as_text=True)
    assert "张伟国" in html and html.count("张伟") >= 2
