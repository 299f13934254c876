"""Template helpers for Det Fælles Designsystem markup."""

from django import template

register = template.Library()

_CLASS_BY_WIDGET = {
    "select": "form-select",
    "selectmultiple": "form-select",
    "checkbox": "form-checkbox",
    "radioselect": "",
    "checkboxselectmultiple": "",
    "clearablefile": "form-file-input",
    "file": "form-file-input",
}


@register.simple_tag
def fds_widget(field):
    """Render a bound field's widget with the design system's class and its hint/error ids."""
    attrs = {}
    css_class = _CLASS_BY_WIDGET.get(field.widget_type, "form-input")
    if css_class:
        attrs["class"] = css_class
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)
