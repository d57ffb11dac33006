"""``flask clock show|set|advance|reset``: the demo clock, for demonstrations
and training. Refused in production, which always runs on real time."""
from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask.cli import AppGroup

from grants.core import clock, demo_clock
from grants.extensions import db

clock_cli = AppGroup("clock", help="Demo clock shared by every process (not in production).")


class DemoClockRefused(click.ClickException):
    exit_code = 2


class _Parsed(click.ParamType):
    def __init__(self, name: str, parse):
        self.name, self._parse = name, parse

    def convert(self, value, param, ctx):
        try:
            return self._parse(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


MOMENT = _Parsed("moment", demo_clock.parse_moment)
DURATION = _Parsed("duration", demo_clock.parse_duration)


def _require_demo_clock() -> None:
    if not demo_clock.enabled():
        raise DemoClockRefused(
            "the demo clock is not available in production (GRANTS_ENV=production), "
            "which always runs on real time; use GRANTS_ENV=development for a demonstration.")


def _stamp(moment: datetime) -> str:
    return f"{clock.to_local(moment):%Y-%m-%d %H:%M} {clock.LOCAL_TZ.key} ({moment:%Y-%m-%d %H:%M} UTC)"


def _span(delta: timedelta) -> str:
    minutes = abs(int(delta.total_seconds())) // 60
    days, rest = divmod(minutes, 24 * 60)
    return f"{days}d {rest // 60}h {rest % 60}m"


def describe() -> str:
    offset = demo_clock.current_offset()
    if not offset:
        return f"Real time: {_stamp(clock.now())}; the demo clock is not set."
    direction = "ahead of" if offset > clock.ZERO else "behind"
    return (f"Demo clock: {_stamp(clock.now())}, {_span(offset)} {direction} real time; "
            "`flask clock reset` returns to real time.")


def _change(operation, *args) -> None:
    _require_demo_clock()
    operation(*args)
    db.session.commit()
    click.echo(describe())


@clock_cli.command("show", help="Print the time every process uses now.")
def clock_show():
    _require_demo_clock()
    click.echo(describe())


@clock_cli.command("set", help=f"Make the clock read MOMENT now, e.g. 2027-01-15T09:00 "
                               f"({clock.LOCAL_TZ.key} time); it keeps running from there.")
@click.argument("moment", type=MOMENT)
def clock_set(moment: datetime):
    _change(demo_clock.set_clock, moment)


@clock_cli.command("advance", help="Move the clock forward by DURATION: 3d, 12h, 30m, 2w, 1d12h.")
@click.argument("duration", type=DURATION)
def clock_advance(duration: timedelta):
    _change(demo_clock.advance_clock, duration)


@clock_cli.command("reset", help="Return to real time.")
def clock_reset():
    _change(demo_clock.reset_clock)
