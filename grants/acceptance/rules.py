"""The outcome of an acceptance round, from the panel's submitted judgements.

Plain data in, plain data out, so the rule reads on its own and the officer's
preview and the confirmation apply the same function.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Sequence

from grants.acceptance.models import Outcome

PASS_MARK = 60
RECTIFY_MARK = 50
MIN_VOTING_MEMBERS = 3
RECTIFICATION_MONTHS = 3


@dataclass(frozen=True)
class Vote:
    """One member's submitted judgement: the score and, per indicator id, (met, accepted value)."""

    score: int
    indicators: dict[int, tuple[bool, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    mean_score: float
    unmet_binding: tuple[int, ...]  # binding indicator ids not met by a majority


def met_by_majority(indicator_id: int, votes: Sequence[Vote]) -> bool:
    """More than half of the voting members find the indicator met."""
    met = sum(1 for v in votes if v.indicators.get(indicator_id, (False, ""))[0])
    return met * 2 > len(votes)


def outcome(binding_ids: Iterable[int], votes: Sequence[Vote], *, rectified_before: bool) -> Result:
    """The round's outcome.

    - pass: every binding indicator is met by a majority of the panel and the
      mean score is at least 60;
    - rectification (整改): otherwise, when the mean score is at least 50
      (a binding indicator not met, or a mean of 50..59), once only;
    - failed: a mean below 50, or any outcome short of a pass after a
      rectification.
    """
    if not votes:
        raise ValueError("no submitted judgement")
    mean = sum(v.score for v in votes) / len(votes)
    unmet = tuple(sorted(i for i in set(binding_ids) if not met_by_majority(i, votes)))
    if not unmet and mean >= PASS_MARK:
        result = Outcome.passed
    elif mean >= RECTIFY_MARK and not rectified_before:
        result = Outcome.rectifying
    else:
        result = Outcome.failed
    return Result(result, round(mean, 2), unmet)


def accepted_values(votes: Sequence[Vote]) -> dict[int, str]:
    """Per indicator, the value most members who found it met accept as reached
    (ties: the value given first); indicators nobody found met are left out."""
    values: dict[int, Counter] = {}
    for vote in votes:
        for indicator_id, (met, value) in vote.indicators.items():
            if met and value:
                values.setdefault(indicator_id, Counter())[value] += 1
    return {i: counter.most_common(1)[0][0] for i, counter in values.items()}


def latest_deadline(today: date) -> date:
    """Three calendar months after ``today`` (the last day of a shorter month)."""
    month = today.month - 1 + RECTIFICATION_MONTHS
    year, month = today.year + month // 12, month % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
