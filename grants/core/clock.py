"""The one clock every time-dependent rule reads.

Datetimes are naive UTC in the database (``*_at``); dates (``*_on``) are
calendar dates in the bureau's time zone. Tests and demos move the clock
with :func:`set_now` / :func:`frozen`.
"""
from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_frozen: datetime | None = None


def now() -> datetime:
    """Current time as naive UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """Today's date in the bureau's time zone."""
    return to_local(now()).date()


def to_local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


def from_local(moment: datetime) -> datetime:
    """A naive local (Asia/Shanghai) datetime as naive UTC."""
    return moment.replace(tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def start_of_day(day: date) -> datetime:
    """Naive UTC instant at which a local calendar day begins."""
    return from_local(datetime(day.year, day.month, day.day))


def set_now(moment: datetime | None) -> None:
    global _frozen
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    _frozen = moment


def advance(delta: timedelta) -> datetime:
    set_now(now() + delta)
    return now()


@contextlib.contextmanager
def frozen(moment: datetime):
    previous = _frozen
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)
