"""Firing transitions through one shared Machine vs. building a Machine per object.

The engine keeps one ``transitions.Machine`` per kind of object and fires
``machine.events[name].trigger(obj)`` on rows loaded from the database. This
measures that against the naive alternative (a new Machine bound to each
object for each request) and against a plain attribute assignment (the
floor), with the same guards and callbacks, without the database so the
numbers show the state machine's own cost.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transitions import Machine  # noqa: E402

STATES = ["draft", "submitted", "published", "closed", "reviewing", "notice", "awarded", "failed", "withdrawn"]
TRANSITIONS = [
    ("submit", "draft", "submitted"), ("return_for_revision", "submitted", "draft"),
    ("publish", "submitted", "published"), ("close_bidding", "published", "closed"),
    ("start_review", "closed", "reviewing"), ("propose_award", "reviewing", "notice"),
    ("confirm_award", "notice", "awarded"), ("reopen_review", "notice", "reviewing"),
    ("declare_failed", ["closed", "reviewing"], "failed"),
    ("withdraw", ["draft", "submitted", "published"], "withdrawn"),
]
PATH = ["submit", "publish", "close_bidding", "start_review", "propose_award", "confirm_award"]


class Row:
    def __init__(self):
        self.state = "draft"


def guard(event) -> bool:
    return True


def after(event) -> None:
    pass


def spec():
    return [{"trigger": t, "source": s, "dest": d, "conditions": [guard], "after": [after]}
            for t, s, d in TRANSITIONS]


def shared(n: int) -> None:
    machine = Machine(model=None, states=STATES, initial="draft", transitions=spec(),
                      auto_transitions=False, send_event=True, model_attribute="state")
    for _ in range(n):
        row = Row()
        for name in PATH:
            machine.events[name].trigger(row)


def per_row(n: int) -> None:
    for _ in range(n):
        row = Row()
        machine = Machine(model=row, states=STATES, initial=row.state, transitions=spec(),
                          auto_transitions=False, send_event=True, model_attribute="state")
        for name in PATH:
            getattr(row, name)()


def floor(n: int) -> None:
    for _ in range(n):
        row = Row()
        for name in PATH:
            event = object()
            if guard(event):
                row.state = name
                after(event)


def best(fn, n: int, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = 2000
    base = best(floor, n)
    results = {"shared machine": best(shared, n), "machine per row": best(per_row, n)}
    transitions = n * len(PATH)
    print(f"{transitions} transitions on {n} objects (best of 5)")
    print(f"  baseline (plain assignment)  {base * 1e6 / transitions:8.2f} µs/transition  1.00x")
    for name, seconds in results.items():
        print(f"  {name:<28} {seconds * 1e6 / transitions:8.2f} µs/transition  {seconds / base:6.1f}x baseline")
    print(f"  machine per row / shared machine: {results['machine per row'] / results['shared machine']:.1f}x")


if __name__ == "__main__":
    main()
