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
    True and ``total`` is the limit); the page macro says "more than N".

    A page past the first of a select of one entity is read in two steps: the page's
    primary keys (the order's index alone serves them, the skipped rows are never read
    from the table or joined), then those rows with everything the select loads. A deep
    page then costs about what the first does, instead of PostgreSQL joining and sorting
    every row before the OFFSET."""

    more = False
    limit = None

    def _query_items(self) -> list:
        select, session = self._query_args["select"], self._query_args["session"]
        entity = _only_entity(select) if self._query_offset else None
        if entity is None:
            return super()._query_items()
        key = entity.__mapper__.primary_key[0]
        keys = select.with_only_columns(key, maintain_column_froms=True)
        ids = session.scalars(keys.limit(self.per_page).offset(self._query_offset)).all()
        if not ids:
            return []
        rows = {getattr(row, key.key): row for row in
                session.scalars(select.order_by(None).where(key.in_(ids))).unique()}
        return [rows[i] for i in ids if i in rows]

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


def _only_entity(select):
    """The mapped class when ``select`` reads exactly one entity with a one-column key."""
    described = select.column_descriptions
    if len(described) != 1 or described[0].get("entity") is None or described[0].get("expr") is not described[0]["entity"]:
        return None
    entity = described[0]["entity"]
    return entity if len(entity.__mapper__.primary_key) == 1 else None


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
