import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.admin import ModelAdmin, helpers
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

if TYPE_CHECKING:
    # What the mixin is mixed into (see HubAdminSite.register), so that super() type-checks.
    _ModelAdminBase = ModelAdmin
else:
    _ModelAdminBase = object


class BoundedQueries(_ModelAdminBase):
    """Changelist input kept within what the databases take. A filter value that is a whole
    number beyond 64 bits is refused (400) before it reaches a query: Django compares such a
    number with a foreign key as is, and SQLite cannot even bind it (a 500 for
    `?company=9223372036854775808`), and so is a year at the very ends of the calendar. A
    search is cut to SEARCH_MAX characters: SQLite refuses LIKE patterns over 50,000 bytes, and
    nothing we search is longer than a subject."""

    SEARCH_MAX = 255

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term[: self.SEARCH_MAX])

    def lookup_allowed(self, lookup, value, request=None):
        text = value.strip() if isinstance(value, str) else ""
        if re.fullmatch(r"-?[0-9]{1,19}", text) and not -(2**63) <= int(text) < 2**63:
            return False
        if re.fullmatch(r"-?[0-9]{20,}", text):
            return False  # far out of range, and too long even to convert
        if not self._year_in_range(lookup, text):
            return False
        return super().lookup_allowed(lookup, value, request)

    def response_action(self, request, queryset, *args, **kwargs):
        # The ids ticked for an action go into `pk__in` as sent: a word is a ValueError and a
        # number beyond 64 bits an OverflowError on SQLite (a 500). The list never sends either.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(self._is_key(value) for value in selected):
            raise BadRequest
        return super().response_action(request, queryset, *args, **kwargs)

    def _is_key(self, value: str) -> bool:
        pk = self.model._meta.pk
        if pk is None:  # pragma: no cover - every model has a primary key
            return True
        try:
            prepared = pk.get_prep_value(pk.to_python(value))
        except (ValidationError, ValueError, TypeError):
            return False
        return not isinstance(prepared, int) or -(2**63) <= prepared < 2**63

    @staticmethod
    def _year_in_range(lookup: str, text: str) -> bool:
        """Years 2 to 9998 only: at either end of what Python's dates hold, moving a time
        between time zones overflows (a 500 for `?created_at__year=1`)."""
        if lookup.endswith(("__year", "__iso_year")):
            year = text
        elif found := re.match(r"(\d+)-", text):
            year = found.group(1)
        else:
            return True
        return year.isdigit() and len(year) <= 5 and 2 <= int(year) <= 9998


class HubAdminSite(OTPAdminSite):
    """The operators' console: staff users who passed the second factor, nobody else."""

    site_header = settings.PORTAL_NAME
    site_title = _("Operator console")
    index_title = _("Operator console")
    # No app list beside every page: it cost a case page more to render than its form, and
    # the breadcrumbs and the index lead to the same places.
    enable_nav_sidebar = False

    def login(self, request, extra_context=None):
        # One sign-in page for everyone, with the portal's two-factor flow and throttling.
        if request.user.is_authenticated:
            if not request.user.is_staff:
                raise PermissionDenied
            if self.has_permission(request):
                # Already signed in with the second factor: a link here never signs one out.
                return redirect("admin:index")
            logout(request)  # an operator session without the second factor: start again
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(next_url, settings.LOGIN_URL)

    def get_urls(self):
        # The desk's report is a page of the site, not of one model (desk/report_views.py).
        from desk.report_views import report_urls

        return report_urls(self) + super().get_urls()

    def get_app_list(self, request, app_label=None):
        from desk.report_views import with_report_entry

        return with_report_entry(request, super().get_app_list(request, app_label), app_label)

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every ModelAdmin, ours and the packages', gets the bounds on its filters and search.
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, BoundedQueries):
            admin_class = type(
                admin_class.__name__,
                (BoundedQueries, admin_class),
                {"__module__": admin_class.__module__},
            )
        return super().register(model_or_iterable, admin_class, **options)
