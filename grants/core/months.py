"""Calendar months for figures by month: the window a chart shows and the bucket of a date."""
from __future__ import annotations

from datetime import date


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_around(today: date, before: int, after: int) -> list[str]:
    """``before`` months before ``today``'s month, its month, and ``after`` months after it."""
    index = today.year * 12 + today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - before, index + after + 1)]


def by_month(rows, months: list[str]) -> list[int]:
    """Sum ``(day, amount)`` rows into the given months (rows outside them are left out)."""
    totals = dict.fromkeys(months, 0)
    for day, amount in rows:
        if day is not None and month_of(day) in totals:
            totals[month_of(day)] += int(amount or 0)
    return [totals[m] for m in months]
