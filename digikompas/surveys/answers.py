"""What counts as an answer to an item, wherever it comes from (the questionnaire, an imported
file, the API): text in, a typed value out, or AnswerInvalid with the reason for the user.

Values by item kind: competency → level (int on the framework's scale), agreement → 1–5,
single → option value (str), multiple → option values (list of str), number → int, text → str.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from .models import AGREEMENT_SCALE, Item, ItemKind

TEXT_MAX_LENGTH = 5000


class AnswerInvalid(ValueError):
    """The reason a value is not an answer to an item, for the user."""


def levels_of(item: Item) -> list[int]:
    """The scale values a competency item is answered on."""
    return [level.value for level in item.competency.framework.levels.all()]


def clean(item: Item, raw, *, levels: Iterable[int] | None = None):
    """The typed answer to `item` from `raw` (text, a number or a list); None for no answer."""
    if raw is None or raw == "" or raw == []:
        return None
    kind = item.kind
    if kind == ItemKind.MULTIPLE:
        values = raw if isinstance(raw, list | tuple) else str(raw).split(";")
        values = [str(v).strip() for v in values if str(v).strip()]
        allowed = [option["value"] for option in item.options]
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise AnswerInvalid(
                _("“%(value)s” is not one of the options (%(options)s).")
                % {"value": unknown[0], "options": ", ".join(allowed)}
            )
        # In the order of the options, each once.
        return [v for v in allowed if v in values] or None
    if isinstance(raw, list | tuple):
        raise AnswerInvalid(_("Give one answer only."))
    text = str(raw).strip()
    if kind == ItemKind.TEXT:
        if len(text) > TEXT_MAX_LENGTH:
            raise AnswerInvalid(_("Write at most %(max)s characters.") % {"max": TEXT_MAX_LENGTH})
        return text
    if kind == ItemKind.SINGLE:
        allowed = [option["value"] for option in item.options]
        if text not in allowed:
            raise AnswerInvalid(
                _("“%(value)s” is not one of the options (%(options)s).")
                % {"value": text, "options": ", ".join(allowed)}
            )
        return text
    number = _whole_number(text)
    if kind == ItemKind.NUMBER:
        if item.minimum is not None and number < item.minimum:
            raise AnswerInvalid(_("The smallest answer is %(min)s.") % {"min": item.minimum})
        if item.maximum is not None and number > item.maximum:
            raise AnswerInvalid(_("The largest answer is %(max)s.") % {"max": item.maximum})
        return number
    allowed_levels = (
        list(levels) if kind == ItemKind.COMPETENCY and levels is not None
        else levels_of(item) if kind == ItemKind.COMPETENCY
        else [value for value, _label in AGREEMENT_SCALE]
    )  # fmt: skip
    if number not in allowed_levels:
        raise AnswerInvalid(
            _("%(value)s is not on the scale (%(first)s–%(last)s).")
            % {"value": number, "first": min(allowed_levels), "last": max(allowed_levels)}
        )
    return number


def _whole_number(text: str) -> int:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise AnswerInvalid(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_integer():
        raise AnswerInvalid(_("“%(value)s” is not a whole number.") % {"value": text})
    return int(number)


def missing(items: Iterable[Item], answers: Mapping[str, object]) -> list[Item]:
    """The required items that are shown (given the answers) but not answered."""
    return [
        item
        for item in items
        if item.required and item.is_shown(answers) and answers.get(item.code) in (None, "", [])
    ]


def shown_answers(items: Iterable[Item], answers: Mapping[str, object]) -> dict[str, object]:
    """The answers to the items that are shown: an answer to an item that a later change hid
    (its condition no longer holds) is not kept."""
    return {
        item.code: answers[item.code]
        for item in items
        if item.code in answers
        and answers[item.code] not in (None, "", [])
        and item.is_shown(answers)
    }
