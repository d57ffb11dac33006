"""Long lists are not counted to the end: past the count limit they say "more than N"."""
import json

from tests.api.helpers import ApiClient
from tests.factories import black_list


def test_a_list_past_the_count_limit_says_more_than_and_pages_on(app, make, login, monkeypatch):
    monkeypatch.setitem(app.config, "COUNT_LIMIT", 3)
    officer = make.user("officer")
    entries = [black_list(make.org(name=f"单位{n}")) for n in range(5)]
    api = ApiClient(app.test_client(), make.token(officer))

    first = api.get("/integrity/entries", query_string={"page_size": 2})
    meta = json.loads(first.headers["X-Pagination"])
    assert meta == {"total_more_than": 3, "first_page": 1, "page": 1, "next_page": 2}
    third = api.get("/integrity/entries", query_string={"page_size": 2, "page": 3})
    assert [e["id"] for e in third.get_json()] == [entries[0].id]
    assert json.loads(third.headers["X-Pagination"])["total"] == 5  # counted to the page asked for

    few = api.get("/integrity/entries", query_string={"list": "red"})
    assert json.loads(few.headers["X-Pagination"])["total"] == 0

    client = login(officer)
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    html = client.get("/integrity/").get_data(as_text=True)
    assert "超过 3 条" in html and "?page=2" in html
    html = client.get("/integrity/?page=3").get_data(as_text=True)
    assert "单位0" in html and "共 5 条" in html
