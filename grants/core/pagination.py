"""Pages of long lists without an exact count over every row.

Counting every matching row costs as much as reading them all, on every request. Up to
``COUNT_LIMIT`` rows (or up to the page asked for, if further) the count is exact; beyond
it a list says "more than N" and keeps a link to the next page. The API's
``X-Pagination`` header says the same with ``total_more_than`` (see ``grants.api.base``).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination, SelectPagination

from grants.extensions import db

COUNT_LIMIT = 10_000


def count_limit() -> int:
    return current_app.config.get("COUNT_LIMIT", COUNT_LIMIT)


def capped_count(select, needed: int) -> tuple[int, bool]:
    """(count, more): the exact count of ``select``'s rows when at most ``max(limit, needed)``,
    else that limit and True, reading no more than one row past it."""
    limit = max(count_limit(), needed)
    sub = select.order_by(None).limit(limit + 1).subquery()
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(sub))
    return (limit, True) if counted > limit else (counted, False)


class CappedPagination(SelectPagination):
    """``db.paginate`` with a count that stops past ``COUNT_LIMIT`` rows (``more`` is then
    True and ``total`` is the limit); the page macro says "more than N"."""

    more = False
    limit = None

    def _query_count(self) -> int:
        total, self.more = capped_count(self._query_args["select"], self._query_offset + self.per_page)
        if self.more:
            self.limit = total
            return total + 1  # one page past the limit stays reachable through "next"
        return total


class RowPagination(CappedPagination):
    """:class:`CappedPagination` of a select of several columns: each item is a row."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate(select, *, per_page: int | None = None, rows: bool = False) -> CappedPagination:
    """A page of ``select``: its entities, or with ``rows`` its rows (a select of several columns)."""
    kind = RowPagination if rows else CappedPagination
    return kind(select=select, session=db.session(), per_page=per_page, error_out=False, max_per_page=None)


class ListPagination(Pagination):
    """A page of a list already in memory (a ranking computed whole), for the page macro."""

    def _query_items(self) -> list:
        return self._query_args["items"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def paginate_list(items: list, *, per_page: int | None = None) -> ListPagination:
    return ListPagination(items=items, per_page=per_page, error_out=False, max_per_page=None)


class FetchedPagination(Pagination):
    """A page whose rows and total one call gives together: ``fetch(offset, limit)`` returns
    ``(items, total)`` (a ranking computed in SQL, read one page at a time)."""

    def _query_items(self) -> list:
        self.items, self._total = self._query_args["fetch"](self._query_offset, self.per_page)
        return self.items

    def _query_count(self) -> int:
        return self._total


def paginate_fetched(fetch, *, per_page: int | None = None) -> FetchedPagination:
    return FetchedPagination(fetch=fetch, per_page=per_page, error_out=False, max_per_page=None)
