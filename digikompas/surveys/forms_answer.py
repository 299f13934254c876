"""The questionnaire page form: one field per item of a section, each parsed by the answer rules
(answers.clean), so the questionnaire accepts exactly what an import or the API accepts.

Show-if conditions without JavaScript: an item whose condition item is on the *same* page is
always shown, with a note saying when to answer it, and its answer is dropped on saving when the
condition does not hold (a small script hides it while the condition is not met, as a comfort).
An item whose condition item is on an earlier page is shown only when the saved answer meets it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

from . import answers as answer_rules
from .models import AGREEMENT_SCALE, Item, ItemKind

_WIDGETS = {
    ItemKind.COMPETENCY: forms.RadioSelect,
    ItemKind.AGREEMENT: forms.RadioSelect,
    ItemKind.SINGLE: forms.RadioSelect,
    ItemKind.MULTIPLE: forms.CheckboxSelectMultiple,
    ItemKind.NUMBER: forms.NumberInput,
    ItemKind.TEXT: forms.Textarea,
}


class AnswerField(forms.Field):
    """An answer to one item: text (or a list) in, the typed value of answers.clean out."""

    def __init__(self, item: Item, **kwargs):
        self.item = item
        super().__init__(required=False, label=item.text, widget=_WIDGETS[item.kind](), **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n")
        try:
            return answer_rules.clean(self.item, value)
        except answer_rules.AnswerInvalid as error:
            raise forms.ValidationError(str(error), code="invalid") from None


def scale_of(item: Item) -> list[tuple[str, str, str]]:
    """The answer options of a choice item as (value, label, description)."""
    if item.kind == ItemKind.COMPETENCY:
        descriptors = {d.level: d.text for d in item.competency.descriptors.all()}
        return [
            (str(level.value), level.label, descriptors.get(level.value, ""))
            for level in item.competency.framework.levels.all()
        ]
    if item.kind == ItemKind.AGREEMENT:
        return [(str(value), str(label), "") for value, label in AGREEMENT_SCALE]
    return [(option["value"], item.option_label(option["value"]), "") for option in item.options]


def answer_label(item: Item, value) -> str:
    """An answer as the respondent reads it: the label of a level, point or option."""
    if value in (None, "", []):
        return ""
    if item.kind in (ItemKind.NUMBER, ItemKind.TEXT):
        return str(value)
    labels = {option: label for option, label, _hint in scale_of(item)}
    values = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(v), str(v)) for v in values)


def condition_note(item: Item) -> str:
    """When to answer an item whose condition is on the same page."""
    controller = item.show_if_item
    answers = ", ".join(f"“{answer_label(controller, v)}”" for v in item.show_if_values)
    return _("Answer only if you answered %(answers)s to “%(question)s”.") % {
        "answers": answers,
        "question": controller.text,
    }


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    description: str
    id: str
    checked: bool


def range_hint(item: Item) -> str:
    low, high = item.minimum, item.maximum
    if low is not None and high is not None:
        return _("A whole number from %(min)s to %(max)s.") % {"min": low, "max": high}
    if low is not None:
        return _("A whole number, at least %(min)s.") % {"min": low}
    if high is not None:
        return _("A whole number, at most %(max)s.") % {"max": high}
    return _("A whole number.")


@dataclass
class Question:
    """An item as the page renders it."""

    item: Item
    field: forms.BoundField
    options: list[Option]
    # Set when the condition item is on the same page (see the module docstring).
    condition: str = ""
    max_length: int = answer_rules.TEXT_MAX_LENGTH

    @property
    def range(self) -> str:
        return range_hint(self.item) if self.item.kind == ItemKind.NUMBER else ""

    @property
    def anchor(self) -> str:
        """The element an error message links to: the first option, or the input."""
        return self.options[0].id if self.options else self.field.auto_id

    @property
    def described_by(self) -> str:
        prefix = self.field.auto_id
        parts = [
            (self.condition, f"{prefix}_condition"),
            (self.range, f"{prefix}_range"),
            (self.item.help, f"{prefix}_helptext"),
            (self.field.errors, f"{prefix}_error"),
        ]
        return " ".join(name for present, name in parts if present)

    @property
    def show_if_name(self) -> str:
        return self.field.form.add_prefix(self.item.show_if_item.code)

    @property
    def show_if_values_json(self) -> str:
        return json.dumps([str(value) for value in self.item.show_if_values])


class SectionForm(forms.Form):
    """The items of one section. `saved` is the invitation's draft (code → typed value)."""

    prefix = "q"

    def __init__(self, data=None, *, items: Sequence[Item], saved: Mapping[str, object]):
        self.items = list(items)
        self.saved = dict(saved)
        initial = {item.code: saved.get(item.code) for item in self.items}
        super().__init__(data, initial=initial)
        for item in self.items:
            self.fields[item.code] = AnswerField(item)
        self._on_page = {item.code for item in self.items}

    # -- which items are asked ------------------------------------------------------------------

    def _asked(self, item: Item, answers: Mapping[str, object]) -> bool:
        if item.show_if_item_id is None:
            return True
        if item.show_if_item.code in self._on_page:
            controller = next(i for i in self.items if i.code == item.show_if_item.code)
            return self._asked(controller, answers)
        return item.is_shown(answers)

    def clean(self):
        """Drop the answers to items whose condition does not hold (given the saved answers and
        this page's valid ones), and any complaint about them: they are not asked."""
        merged = dict(self.saved)
        for item in self.items:
            if item.code not in self._errors:
                merged[item.code] = self.cleaned_data.get(item.code)
        for item in self.items:  # in order, so a chain of conditions follows through
            if not item.is_shown(merged):
                merged[item.code] = None
                self.cleaned_data[item.code] = None
                self._errors.pop(item.code, None)
        return self.cleaned_data

    def answers_to_save(self) -> dict[str, object]:
        """After is_valid(): the page's valid answers (None clears one). Invalid answers are
        left out, so what was saved before stays until the respondent corrects them."""
        return {
            item.code: self.cleaned_data.get(item.code)
            for item in self.items
            if item.code not in self.errors
        }

    # -- rendering ------------------------------------------------------------------------------

    def questions(self) -> list[Question]:
        answers = dict(self.saved)
        if self.is_bound:
            self.is_valid()  # cleans once; the valid answers decide what is asked
            answers.update(self.cleaned_data)
        shown = []
        for item in self.items:
            if not self._asked(item, answers):
                continue
            field = self[item.code]
            value = field.value()
            values = value if isinstance(value, list | tuple) else [value]
            chosen = {str(v) for v in values if v is not None}
            options = [
                Option(
                    value=option,
                    label=label,
                    description=description,
                    id=f"{field.auto_id}_{index}",
                    checked=option in chosen,
                )
                for index, (option, label, description) in enumerate(scale_of(item))
            ]
            condition = (
                condition_note(item)
                if item.show_if_item_id and item.show_if_item.code in self._on_page
                else ""
            )
            shown.append(Question(item, field, options, condition))
        return shown
