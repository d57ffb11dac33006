"""What a reviewer fills in for one bid (a score and a comment per criterion of the
rubric, and an overall opinion), checked without touching the database."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from grants.core.errors import ValidationFailed
from grants.reviews.models import Opinion
from grants.reviews.scoring import MAX_SCORE, MIN_SCORE


@dataclass(frozen=True)
class ScoreSheet:
    """The cleaned input: criterion id -> (score, or None when left unscored, comment)."""

    scores: dict
    opinion: Opinion | None


def whole_score(value) -> int | None:
    """The score in ``value`` (a whole number from 0 to 100, as typed or sent), else None."""
    text = str(value).strip()
    try:
        number = int(text)
    except ValueError:
        return None
    if str(number) != text.lstrip("+") or not MIN_SCORE <= number <= MAX_SCORE:
        return None
    return number


def parse_opinion(opinion) -> Opinion | None:
    if opinion in (None, ""):
        return None
    try:
        return Opinion(opinion)
    except ValueError:
        raise ValidationFailed(_("Choose recommend or do not recommend.")) from None


def parse_scoresheet(rubric, scores: dict, opinion=None) -> ScoreSheet:
    """Check ``scores`` (criterion id -> (score, comment); a score may be empty in a
    draft) against ``rubric``; a bad score is a field error ``score_<criterion id>``,
    all of them raised together as one ValidationFailed."""
    criteria = {c.id: c for c in rubric}
    errors, cleaned = {}, {}
    for criterion_id, (value, comment) in scores.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            message = _("Unknown criterion.")
            raise ValidationFailed(message, details={"scores": message})
        number = None if value in (None, "") else whole_score(value)
        if number is None and value not in (None, ""):
            errors[f"score_{criterion.id}"] = _("%(criterion)s: the score must be a whole number from 0 to 100.",
                                                criterion=criterion.name)
            continue
        cleaned[criterion.id] = (number, (comment or "").strip())
    if errors:
        raise ValidationFailed("; ".join(errors.values()), details=errors)
    return ScoreSheet(cleaned, parse_opinion(opinion))
