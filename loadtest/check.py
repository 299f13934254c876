"""The exactly-once check: every submission a respondent saw acknowledged is stored once, with
the answers the respondent sent, and nothing is stored twice.

In a confidential round a response names its invitation, so each acknowledged token is matched
to its response. In an anonymous round nothing links a response to its invitation (that is the
point of the mode), so the check compares multisets: each stored response's answers against
the answers the respondents sent, and the number of responses against the number of
invitations marked as answered. A duplicate shows up as a set of answers stored more often than
it was sent, or as more responses than answered invitations.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .client import Outcome
from .data import Plan


@dataclass(frozen=True)
class Verdict:
    acknowledged: int
    stored: int  # responses of acknowledged submissions found with their answers
    lost: int
    duplicated: int
    wrong_values: int
    unacknowledged_stored: int  # submits that stored a response but were never acknowledged

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.wrong_values == 0


def _key(answers: dict[str, object]) -> frozenset:
    return frozenset(
        (code, tuple(value) if isinstance(value, list) else value)
        for code, value in answers.items()
    )


def _stored_answers(round_id: int) -> dict[int, dict[str, object]]:
    from digikompas.surveys.models import Answer, ItemKind

    stored: dict[int, dict[str, object]] = {}
    rows = Answer.objects.filter(response__round_id=round_id).values_list(
        "response_id", "item__code", "item__kind", "number", "text", "choices"
    )
    for response_id, code, kind, number, text, choices in rows.iterator(chunk_size=5000):
        if kind == ItemKind.MULTIPLE:
            value = list(choices)
        elif kind in (ItemKind.SINGLE, ItemKind.TEXT):
            value = text
        else:
            value = number
        stored.setdefault(response_id, {})[code] = value
    return stored


def verify(plan: Plan, outcome: Outcome) -> Verdict:
    from digikompas.surveys.models import Invitation, Response

    responses = Response.objects.filter(round_id=plan.round_id)
    stored = _stored_answers(plan.round_id)
    for pk in responses.values_list("pk", flat=True):
        stored.setdefault(pk, {})
    answered = set(
        Invitation.objects.filter(round_id=plan.round_id, responded_at__isnull=False).values_list(
            "token", flat=True
        )
    )
    acknowledged = outcome.acknowledged
    # Every respondent whose submit reached the server may have a response, acknowledged or not.
    sent = Counter(_key(outcome.sent[token]) for token in outcome.submitted)
    found = Counter(_key(answers) for answers in stored.values())
    duplicated = sum(max(0, found[key] - sent[key]) for key in found if key in sent)
    duplicated = max(duplicated, len(stored) - len(answered))
    if plan.anonymous:
        lost_tokens = acknowledged - answered
        acknowledged_keys = Counter(_key(outcome.sent[token]) for token in acknowledged)
        missing = sum(max(0, n - found[key]) for key, n in acknowledged_keys.items())
        lost = max(len(lost_tokens), missing)
        # Answers no respondent sent: stored wrongly.
        wrong = sum(n for key, n in found.items() if key not in sent)
    else:
        by_token = dict(responses.values_list("invitation__token", "pk"))
        lost = len([t for t in acknowledged if t not in by_token or t not in answered])
        wrong = len(
            [
                t
                for t in acknowledged
                if t in by_token and _key(stored[by_token[t]]) != _key(outcome.sent[t])
            ]
        )
    return Verdict(
        acknowledged=len(acknowledged),
        stored=len(acknowledged) - lost,
        lost=lost,
        duplicated=duplicated,
        wrong_values=wrong,
        unacknowledged_stored=len(answered - acknowledged),
    )
