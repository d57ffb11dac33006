"""Who may never review a challenge, and the random draw of a panel.

Plain data in, plain data out, so the rules read on their own and a draw can
be re-checked later from what the audit event recorded.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from typing import Sequence

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class ChallengeParties:
    """Everyone on the other side of a challenge's review."""

    owner_org_id: int | None
    bidder_org_ids: frozenset[int] = field(default_factory=frozenset)  # lead and partner organisations
    team_person_ids: frozenset[int] = field(default_factory=frozenset)  # leads and members of every bid


def conflict_reason(reviewer_org_ids: set[int], reviewer_person_id: int | None, parties: ChallengeParties):
    """Why this reviewer can never review the challenge (lazy string), or None.

    ``reviewer_org_ids`` are the organisations the reviewer belongs to (the
    account's and the person's).
    """
    if reviewer_person_id is not None and reviewer_person_id in parties.team_person_ids:
        return _l("is the lead or a team member of a bid in this challenge")
    if parties.owner_org_id is not None and parties.owner_org_id in reviewer_org_ids:
        return _l("works for the enterprise that posted this challenge")
    if reviewer_org_ids & parties.bidder_org_ids:
        return _l("works for an organisation bidding in this challenge")
    return None


def new_seed() -> int:
    return secrets.randbits(32)


def draw_panel(candidate_ids: Sequence[int], size: int, seed: int) -> list[int]:
    """``size`` reviewers drawn from the candidates, repeatable from the seed.

    The candidates are sorted first, so the same set and seed always give
    the same panel whatever order they were loaded in.
    """
    pool = sorted(set(candidate_ids))
    if size > len(pool):
        raise ValueError("panel larger than the pool")
    return sorted(random.Random(seed).sample(pool, size))
