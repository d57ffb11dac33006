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


def test_a_deep_page_lists_what_one_query_would_and_reads_only_its_own_rows(app, make):
    """Past the first page, the page's keys are read first and then only those rows with
    what the list shows (the owner organisation): same rows, same order."""
    import sqlalchemy as sa
    from flask_sqlalchemy.pagination import SelectPagination

    from grants.challenges import services
    from grants.core.pagination import paginate
    from grants.extensions import db
    officer = make.user("officer")
    for n in range(7):
        make.challenge(officer=officer, title=f"深页榜单{n}", budget_fen=(n % 3 + 1) * 100_000_00)
    for sort in ("deadline", "budget"):
        for page in (1, 2, 3, 4):
            select = services.search_challenges(None, sort=sort)
            with app.test_request_context(f"/?page={page}"):
                statements = []
                listener = lambda *a, **k: statements.append(a[2]) if a[2].startswith("SELECT") else None  # noqa: E731
                sa.event.listen(db.engine, "before_cursor_execute", listener)
                try:
                    items = paginate(select, per_page=2).items
                    names = [c.owner_org.name for c in items]  # loaded with the page, no query more
                finally:
                    sa.event.remove(db.engine, "before_cursor_execute", listener)
                one_query = SelectPagination(select=select, session=db.session(), page=page, per_page=2,
                                             error_out=False, max_per_page=None).items
            assert [c.id for c in items] == [c.id for c in one_query], (sort, page)
            assert names == [c.owner_org.name for c in one_query]
            assert len(statements) == (2 if page == 1 else 3), statements  # count, then keys and rows
