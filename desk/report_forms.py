"""The report's period and filters, read from the query string."""

import datetime as dt
from collections.abc import Sequence
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Priority, Service
from desk.report import MAX_DAYS, default_period

# Dates outside these years are refused: far from them, moving a day's start between time
# zones overflows Python's datetimes, and no case is older than the portal.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class ReportForm(forms.Form):
    """From and to (both included), with a service and a priority to narrow it. The choices
    come from catalogue rows the view already has, so the form costs no query of its own."""

    start = forms.DateField(label=_("Start date"), widget=DateInput())
    end = forms.DateField(label=_("End date"), widget=DateInput())
    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        query,
        *,
        services: Sequence[Service],
        priorities: Sequence[Priority],
        today: dt.date,
    ):
        start, end = default_period(today)
        # Missing fields take the defaults; a field sent empty is an error like any other.
        data = {"start": start.isoformat(), "end": end.isoformat()}
        data.update(
            {key: query[key] for key in ("start", "end", "service", "priority") if key in query}
        )
        super().__init__(data)
        everything = [("", _("All"))]
        service = cast(forms.ChoiceField, self.fields["service"])
        priority = cast(forms.ChoiceField, self.fields["priority"])
        service.choices = everything + [(s.pk, s.name) for s in services]
        priority.choices = everything + [(p.pk, p.name) for p in priorities]

    def _clean_day(self, name: str) -> dt.date:
        day = self.cleaned_data[name]
        if not EARLIEST <= day <= LATEST:
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            )
        return day

    def clean_start(self):
        return self._clean_day("start")

    def clean_end(self):
        return self._clean_day("end")

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError(_("The end of the period comes before its start."))
            if (end - start).days + 1 > MAX_DAYS:
                raise ValidationError(
                    _("Choose a period of at most %(days)s days (two years)."),
                    params={"days": MAX_DAYS},
                )
        return data
