"""One entry search for the officers' page and the API: name, code or basis."""
from tests.api.helpers import ApiClient
from tests.factories import black_list


def test_page_and_api_find_an_entry_by_name_code_or_basis(app, make, login):
    org = make.org(name="搜索测试单位")
    entry = black_list(org, basis="咸科技发〔2026〕777号")
    black_list(make.org(name="另一单位"), basis="咸科技发〔2026〕888号")
    officer = make.user("officer")
    api = ApiClient(app.test_client(), make.token(officer))
    client = login(officer)
    for q in ("搜索测试", org.credit_code[-8:].lower(), "〔2026〕777"):
        found = api.get("/integrity/entries", query_string={"q": q}).get_json()
        assert [row["id"] for row in found] == [entry.id], q
        html = client.get("/integrity/", query_string={"q": q}).get_data(as_text=True)
        assert "搜索测试单位" in html and "另一单位" not in html, q
    assert api.get("/integrity/entries", query_string={"q": "无此记录"}).get_json() == []
