"""The admin's report page, "How the desk is doing", and its CSV download. The admin site adds
the URLs (report_urls) and the entry on its index (with_report_entry); both views are for
operators who passed the second factor (admin_view) and may view cases."""

import datetime as dt

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from catalog.models import Priority, Service
from desk import charts
from desk.report import Group, Report, desk_report, report_time_zone
from desk.report_csv import report_csv
from desk.report_forms import ReportForm

TITLE = gettext_lazy("How the desk is doing")
# Either, as the admin itself has it: whoever may change cases may see them.
PERMISSIONS = ("cases.view_case", "cases.change_case")


def may_read(user) -> bool:
    return any(user.has_perm(permission) for permission in PERMISSIONS)


def group_label(group: Group) -> str:
    return _("%(service)s · %(priority)s") % {
        "service": group.service.name if group.service else "–",
        "priority": group.priority.name if group.priority else "–",
    }


def _build(request: HttpRequest) -> tuple[ReportForm, Report | None]:
    if not may_read(request.user):
        raise PermissionDenied
    tz = report_time_zone()
    services = list(Service.objects.all())
    priorities = list(Priority.objects.all())
    today = dt.datetime.now(tz).date()
    form = ReportForm(request.GET, services=services, priorities=priorities, today=today)
    if not form.is_valid():
        return form, None
    report = desk_report(
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        service_id=form.cleaned_data["service"],
        priority_id=form.cleaned_data["priority"],
        services=services,
        priorities=priorities,
        tz=tz,
    )
    return form, report


def _page(request, site, form, report, *, status=200) -> TemplateResponse:
    context = {
        **site.each_context(request),
        "title": TITLE,
        "form": form,
        "report": report,
        "query": request.GET.urlencode(),
    }
    if report is not None:
        context |= {
            "weekly_chart": charts.weekly_chart(report.weeks),
            "response_chart": charts.response_chart(report.groups, group_label),
            "weeks": report.weeks,
            "groups": [(group_label(g), g) for g in report.groups],
        }
    return TemplateResponse(request, "admin/desk/report.html", context, status=status)


def report_urls(site) -> list:
    @require_GET
    def report_view(request):
        form, report = _build(request)
        return _page(request, site, form, report)

    @require_GET
    def report_csv_view(request):
        form, report = _build(request)
        if report is None:
            return _page(request, site, form, report, status=400)
        return report_csv(report)

    return [
        path("desk/report/", site.admin_view(report_view), name="desk_report"),
        path("desk/report/csv/", site.admin_view(report_csv_view), name="desk_report_csv"),
    ]


def with_report_entry(request: HttpRequest, app_list: list[dict], app_label=None) -> list[dict]:
    """The admin index's app list with the report under the support desk, for operators who
    may view cases (the desk's own models may not be registered, or not visible to them)."""
    if app_label not in (None, "desk") or not may_read(request.user):
        return app_list
    url = reverse("admin:desk_report")
    entry = {
        "name": TITLE,
        "object_name": "DeskReport",
        "admin_url": url,
        "add_url": None,
        "view_only": True,
        "perms": {"view": True},
    }
    for app in app_list:
        if app["app_label"] == "desk":
            app["models"].insert(0, entry)
            return app_list
    desk = {
        "name": apps.get_app_config("desk").verbose_name,
        "app_label": "desk",
        "app_url": url,
        "has_module_perms": True,
        "models": [entry],
    }
    return sorted([*app_list, desk], key=lambda app: str(app["name"]).lower())
