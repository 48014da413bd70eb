"""The support calendar and its holidays in the operator console (registered by desk/admin.py).

The calendar is one row: its list goes straight to that row's page, and it is neither added
nor deleted. Holidays: the national ones come from the `holidays` library (load_holidays, the
"reload" action); operators keep a national holiday open or add closed days of their own."""

import holidays as holiday_library
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.time_zones import time_zone_choices
from desk import services
from desk.calendars import calendar_row
from desk.models import Holiday, SupportCalendar


class SupportCalendarForm(forms.ModelForm):
    class Meta:
        model = SupportCalendar
        fields = (
            "time_zone",
            "opens_at",
            "closes_at",
            *SupportCalendar.WEEKDAY_FIELDS,
            "holiday_country",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        # The zones a person can pick by name, in their language; a stored zone not among them
        # (an old alias) stays choosable rather than silently replaced.
        choices = time_zone_choices()
        if self.instance.time_zone not in dict(choices):
            choices = [(self.instance.time_zone, self.instance.time_zone), *choices]
        self.fields["time_zone"] = forms.ChoiceField(
            label=zone.label, choices=choices, help_text=zone.help_text
        )

    def clean_holiday_country(self) -> str:
        country = self.cleaned_data["holiday_country"].strip().upper()
        if country not in holiday_library.list_supported_countries():
            raise forms.ValidationError(
                _("No public holidays are known for this country code."), code="country"
            )
        return country

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(day) for day in SupportCalendar.WEEKDAY_FIELDS):
            raise forms.ValidationError(
                _("The desk must work on at least one day of the week."), code="no_days"
            )
        return cleaned


@admin.register(SupportCalendar)
class SupportCalendarAdmin(admin.ModelAdmin):
    form = SupportCalendarForm
    fieldsets = (
        (None, {"fields": ("time_zone", ("opens_at", "closes_at"))}),
        (_("Working days"), {"fields": SupportCalendar.WEEKDAY_FIELDS}),
        (None, {"fields": ("holiday_country",)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # One calendar: its list would be a list of one.
        return HttpResponseRedirect(
            reverse("admin:desk_supportcalendar_change", args=[calendar_row().pk])
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "holiday_country" in form.changed_data:
            loaded = services.holidays_load()
            self.message_user(
                request,
                _("Public holidays of %(country)s loaded: %(count)d.")
                % {"country": loaded.country, "count": loaded.added + loaded.renamed},
                messages.SUCCESS,
            )


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Holiday.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 4:
            return queryset.filter(date__year=int(value))
        return queryset


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ("date", "name", "is_closed")


@admin.action(description=_("Reload national holidays (these years and the next ones)"))
def reload_national_holidays(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    years = sorted(
        set(services.default_holiday_years()) | {day.year for day in queryset.dates("date", "year")}
    )
    try:
        loaded = services.holidays_load(years=years)
    except ValueError:
        modeladmin.message_user(
            request, _("No public holidays are known for this country code."), messages.ERROR
        )
        return
    modeladmin.message_user(
        request,
        ngettext(
            "%(added)d national holiday added, %(renamed)d renamed, %(removed)d removed.",
            "%(added)d national holidays added, %(renamed)d renamed, %(removed)d removed.",
            loaded.added,
        )
        % loaded._asdict(),
        messages.SUCCESS,
    )


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    form = HolidayForm
    list_display = ("date", "weekday", "name", "is_national", "is_closed")
    list_editable = ("is_closed",)
    list_filter = (YearFilter, "is_national", "is_closed")
    search_fields = ("name",)
    ordering = ("date",)
    actions = [reload_national_holidays]
    list_per_page = 100

    @admin.display(description=_("day of the week"))
    def weekday(self, holiday: Holiday) -> str:
        return str(WEEKDAYS[holiday.date.weekday()])

    def get_readonly_fields(self, request, obj=None):
        # A national holiday's date and name are the library's: the next load would undo an edit.
        if obj is not None and obj.is_national:
            return ("date", "name", "is_national")
        return ("is_national",)
