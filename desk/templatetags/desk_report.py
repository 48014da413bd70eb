"""The report's numbers as people read them, in the page's language."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from catalog.response_targets import duration_text

register = template.Library()


@register.filter
def count(value: int) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def business_time(minutes: float | None) -> str:
    """Business minutes in words ("2 hours 30 minutes"); a dash when nothing was measured."""
    return "–" if minutes is None else duration_text(round(minutes))


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return _("%(percent)s%%") % {
        "percent": number_format(value * 100, 1, use_l10n=True, force_grouping=True)
    }
