"""The one clock every time-dependent rule reads.

Datetimes are naive UTC in the database (``*_at``); dates (``*_on``) are
calendar dates in the bureau's time zone.

Two things move it:

* demonstrations and training: ``flask clock set|advance|reset`` stores an
  offset from real time in the database (:mod:`grants.core.demo_clock`), so
  every process (web workers, ``flask tick``) sees the same time. It is read
  once per request or command and ignored in production;
* tests, in this process only: :func:`set_now` / :func:`frozen` stop the
  clock at an instant, which overrides the stored offset.
"""
from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
ZERO = timedelta(0)
_frozen: datetime | None = None


def real_now() -> datetime:
    """The machine's time as naive UTC, whatever the demo clock says."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def now() -> datetime:
    """Current time as naive UTC."""
    if _frozen is not None:
        return _frozen
    return real_now() + demo_offset()


def demo_offset() -> timedelta:
    """How far the stored demo clock is from real time (zero in production,
    outside an application context, and while the clock is frozen)."""
    if _frozen is not None:
        return ZERO
    from grants.core import demo_clock

    return demo_clock.current_offset()


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
