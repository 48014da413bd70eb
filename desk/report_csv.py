"""The report as a CSV file for Excel: UTF-8 with a byte-order mark (Excel in Japan reads a file
without one as Shift_JIS), headers in the operator's language, one rectangular table.

Layout: one header row, then one row per service and priority over the whole period, one row
for everything over the period ("All", "All"), then one row per week ("All", "All", the week
named by its Monday). The first column says which period or week a row covers, so the file
sorts and filters in Excel without sections. Times are business minutes as numbers (one
decimal), shares are percentages (one decimal); empty where nothing was measured."""

import csv

from django.http import HttpResponse
from django.utils.translation import gettext as _

from desk.report import Line, Report

# A cell starting with one of these is a formula to Excel (or LibreOffice): a service name
# such as "=HYPERLINK(…)" would run on opening. A leading apostrophe keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _number(value: float | None, scale: float = 1) -> str:
    return "" if value is None else f"{value * scale:.1f}"


def _numbers(line: Line, target: int | None) -> list:
    r = line.responses
    return [
        line.opened,
        line.resolved,
        r.first_count,
        _number(r.first_median),
        _number(r.first_p90),
        "" if target is None else target,
        _number(r.first_share_met, 100),
        r.next_count,
        _number(r.next_share_met, 100),
    ]


def report_csv(report: Report) -> HttpResponse:
    period = f"{report.start.isoformat()}/{report.end.isoformat()}"
    everything = _("All")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="desk-report-{report.start:%Y%m%d}-{report.end:%Y%m%d}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Period or week from"),
            _("Service"),
            _("Priority"),
            _("Cases opened"),
            _("Cases resolved"),
            _("First responses"),
            _("First response, median (business minutes)"),
            _("First response, 90th percentile (business minutes)"),
            _("First-response target (business minutes)"),
            _("First responses within target (%)"),
            _("Next responses"),
            _("Next responses within target (%)"),
        ]
    )
    for group in report.groups:
        service = group.service.name if group.service else ""
        priority = group.priority.name if group.priority else ""
        row = [period, service, priority, *_numbers(group, group.target_minutes)]
        writer.writerow([neutralised(cell) for cell in row])
    overall = [period, everything, everything, *_numbers(report.overall, None)]
    writer.writerow([neutralised(cell) for cell in overall])
    for week in report.weeks:
        row = [week.monday.isoformat(), everything, everything, *_numbers(week, None)]
        writer.writerow([neutralised(cell) for cell in row])
    return response
