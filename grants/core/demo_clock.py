"""The demo clock: an offset from real time, stored in the database.

Outside production, ``flask clock set|advance|reset`` moves the time that
:func:`grants.core.clock.now` returns, so a newcomer can walk a challenge
through its deadline and public notice in minutes. Storing it in the
database lets every process (web workers, ``flask tick`` from cron) see the
same time; an offset rather than a frozen instant keeps time moving.

The offset is read at most once per request or CLI command (cached on
``flask.g``), never in production, and every change is an audit event.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from sqlalchemy.orm import Mapped, mapped_column

from grants.core import audit, clock
from grants.extensions import db

ROW_ID = 1  # one clock for the whole installation
_CACHE_KEY = "_demo_clock_offset"
_DURATION_PART = re.compile(r"(\d+)([wdhm])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


class DemoClockDisabled(RuntimeError):
    """Production runs on real time: the demo clock can be neither read nor set."""


class DemoClock(db.Model):
    __tablename__ = "demo_clock"
    __audit_type__ = "demo_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    offset_seconds: Mapped[int] = mapped_column(sa.BigInteger)
    changed_at: Mapped[datetime]  # real time of the last change

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)


def enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("DEMO_CLOCK"))


def current_offset() -> timedelta:
    """The stored offset, read once per request or command (zero in production)."""
    if not enabled():
        return clock.ZERO
    if _CACHE_KEY not in g:
        seconds = db.session.scalar(sa.select(DemoClock.offset_seconds).where(DemoClock.id == ROW_ID))
        setattr(g, _CACHE_KEY, timedelta(seconds=seconds or 0))
    return getattr(g, _CACHE_KEY)


def forget_cached_offset() -> None:
    g.pop(_CACHE_KEY, None)


# operations (flush, never commit) -------------------------------------------------

def set_clock(moment: datetime) -> datetime:
    """Make the clock read ``moment`` (naive UTC) now, and keep it moving."""
    return _store(moment - clock.real_now(), "set")


def advance_clock(delta: timedelta) -> datetime:
    return _store(current_offset() + delta, "advance")


def reset_clock() -> datetime:
    return _store(clock.ZERO, "reset")


def _store(offset: timedelta, action: str) -> datetime:
    if not enabled():
        raise DemoClockDisabled("production runs on real time")
    row = db.session.get(DemoClock, ROW_ID)
    if row is None:
        row = DemoClock(id=ROW_ID)
        db.session.add(row)
    previous = timedelta(seconds=row.offset_seconds or 0)
    row.offset_seconds = int(offset.total_seconds())
    row.changed_at = clock.real_now()
    setattr(g, _CACHE_KEY, timedelta(seconds=row.offset_seconds))
    db.session.flush()
    audit.record(row, action, evidence={"offset_seconds": row.offset_seconds,
                                        "previous_offset_seconds": int(previous.total_seconds()),
                                        "real_time": row.changed_at.isoformat()})
    return clock.now()


# parsing --------------------------------------------------------------------------

def parse_duration(text: str) -> timedelta:
    """``3d``, ``12h``, ``30m``, ``2w`` or a sum such as ``1d12h``."""
    compact = (text or "").strip().lower().replace(" ", "")
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"{text!r} is not a duration: use a number and a unit "
                         "(w weeks, d days, h hours, m minutes), e.g. 3d, 12h, 30m, 2w or 1d12h")
    return sum((timedelta(**{_UNITS[unit]: int(n)}) for n, unit in parts), timedelta())


def parse_moment(text: str) -> datetime:
    """An ISO date and time, local (Asia/Shanghai) unless it names an offset; naive UTC."""
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time: use YYYY-MM-DDTHH:MM in "
                         f"{clock.LOCAL_TZ.key} time, e.g. 2027-01-15T09:00") from None
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return clock.from_local(moment)


# web ------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    # Test requests share the test's application context, and so its ``g``.
    app.before_request(forget_cached_offset)

    @app.context_processor
    def demo_clock_banner():
        return {"demo_clock_now": clock.now() if clock.demo_offset() else None}
