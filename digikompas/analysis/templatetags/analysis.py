"""Figures of the analysis in templates: a NaN (suppressed or empty) shows as a dash."""

import math

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

DASH = "–"


@register.filter
def figure(value, digits=1):
    """A number with `digits` decimals in the active language's format, or a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return floatformat(value, digits)


@register.filter
def percent(value):
    """A share 0..1 as a whole percentage, or a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{floatformat(value * 100, 0)} %"


@register.filter
def at(sequence, index):
    return sequence[index]
