"""The report's charts as SVG drawn on the server: no script, no library, nothing from another
site. Colours come from classes (report.css), since the CSP refuses inline styles; each chart
is an image with a title and a description, and the page puts the same numbers in a table
right below it for screen readers."""

import math
from collections.abc import Sequence

from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from catalog.response_targets import duration_text
from desk.report import Group, Week

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 36, 28


def count_text(value: float) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


def nice_ceiling(value: float) -> int:
    """A round number at least `value` for the top of an axis: 1, 2 or 5 times a power of 10."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def _svg(*, key: str, height: int, title: str, description: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="hub-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}-title {}-desc" data-testid="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        key,
        key,
        key,
        key,
        title,
        key,
        description,
        body,
    )


def _legend(items: Sequence[tuple[str, str]], y: int) -> SafeString:
    """Swatches and their names in a row; a class ending in -target is drawn as a line."""
    parts = []
    x = LEFT
    for css_class, label in items:
        swatch = (
            '<line class="{}" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            if css_class.endswith("-target")
            else '<rect class="{}" x="{}" y="{}" width="12" height="12"/>'
        )
        parts.append(
            format_html(
                swatch + '<text class="hub-chart-label" x="{}" y="{}">{}</text>',
                css_class,
                *((x + 6, x + 6, y - 12, y + 2) if css_class.endswith("-target") else (x, y - 10)),
                x + 16,
                y,
                label,
            )
        )
        x += 28 + 9 * len(label) if label.isascii() else 28 + 15 * len(label)
    return _join(parts)


def weekly_chart(weeks: Sequence[Week]) -> SafeString:
    """Cases opened and resolved, side by side for each week."""
    height = 276  # room for a second line of dates: the year, where it changes
    plot_h = height - TOP - BOTTOM - 16
    plot_w = WIDTH - LEFT - RIGHT
    top = nice_ceiling(max([1, *(max(w.opened, w.resolved) for w in weeks)]))
    slot = plot_w / max(1, len(weeks))
    bar = max(1.0, slot * 0.4)
    # A date under every week up to 13 of them, then under every nth, so they never overlap.
    label_every = max(1, math.ceil(len(weeks) / 13))
    parts = [
        _legend([("hub-chart-opened", _("Opened")), ("hub-chart-resolved", _("Resolved"))], 20)
    ]
    last_year = None
    for tick in (0, top / 2, top):
        y = TOP + plot_h - plot_h * tick / top
        parts.append(
            format_html(
                '<line class="hub-chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="hub-chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                f"{y:.1f}",
                f"{y:.1f}",
                LEFT - 6,
                f"{y + 4:.1f}",
                count_text(tick if tick % 1 else int(tick)),
            )
        )
    for index, week in enumerate(weeks):
        x = LEFT + slot * index + (slot - 2 * bar) / 2
        for offset, value, css_class in (
            (0, week.opened, "hub-chart-opened"),
            (bar, week.resolved, "hub-chart-resolved"),
        ):
            bar_h = plot_h * value / top
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>',
                    css_class,
                    f"{x + offset:.1f}",
                    f"{TOP + plot_h - bar_h:.1f}",
                    f"{bar:.1f}",
                    f"{bar_h:.1f}",
                )
            )
        if index % label_every == 0:
            middle = f"{LEFT + slot * index + slot / 2:.1f}"
            parts.append(
                format_html(
                    '<text class="hub-chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    middle,
                    height - 24,
                    date_format(week.monday, "MONTH_DAY_FORMAT"),
                )
            )
            if week.monday.year != last_year:
                last_year = week.monday.year
                parts.append(
                    format_html(
                        '<text class="hub-chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                        middle,
                        height - 8,
                        date_format(week.monday, "Y"),
                    )
                )
    return _svg(
        key="chart-weekly",
        height=height,
        title=_("Cases opened and resolved per week"),
        description=_(
            "Bars for each week of the period, from %(first)s: cases opened beside cases "
            "resolved. The table below has the same numbers."
        )
        % {"first": date_format(weeks[0].monday, "DATE_FORMAT") if weeks else ""},
        body=_join(parts),
    )


def response_chart(groups: Sequence[Group], label) -> SafeString:
    """First-response time per service and priority: the median and the 90th percentile as
    bars, the target as a line across them. `label(group)` names a group."""
    measured = [g for g in groups if g.responses.first_count]
    row_h = 52
    height = TOP + row_h * max(1, len(measured)) + BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    longest = max(
        [1.0, *(max(g.responses.first_p90 or 0, g.target_minutes or 0) for g in measured)]
    )
    # The axis ends at a round number of hours, so that its ticks read as a person says them.
    top = nice_ceiling(longest / 60) * 60
    parts = [
        _legend(
            [
                ("hub-chart-median", _("Median")),
                ("hub-chart-p90", _("90th percentile")),
                ("hub-chart-target", _("Target")),
            ],
            20,
        )
    ]
    for index, group in enumerate(measured):
        y = TOP + row_h * index
        parts.append(
            format_html(
                '<text class="hub-chart-label" x="{}" y="{}">{}</text>',
                LEFT,
                y + 12,
                label(group),
            )
        )
        for offset, value, css_class in (
            (16, group.responses.first_median or 0, "hub-chart-median"),
            (30, group.responses.first_p90 or 0, "hub-chart-p90"),
        ):
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="12"/>',
                    css_class,
                    LEFT,
                    y + offset,
                    f"{plot_w * value / top:.1f}",
                )
            )
        if group.target_minutes:
            x = LEFT + plot_w * group.target_minutes / top
            parts.append(
                format_html(
                    '<line class="hub-chart-target" x1="{}" x2="{}" y1="{}" y2="{}"/>',
                    f"{x:.1f}",
                    f"{x:.1f}",
                    y + 12,
                    y + 46,
                )
            )
    axis_y = TOP + row_h * max(1, len(measured)) + 4
    axis = []
    for tick in (0, top // 2, top):
        x = LEFT + plot_w * tick / top
        axis.append(
            format_html(
                '<line class="hub-chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="hub-chart-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
                f"{x:.1f}",
                f"{x:.1f}",
                TOP,
                axis_y,
                f"{x:.1f}",
                axis_y + 14,
                "start" if tick == 0 else "end" if tick == top else "middle",
                duration_text(tick),
            )
        )
    parts[1:1] = axis  # under the bars
    if not measured:
        parts.append(
            format_html(
                '<text class="hub-chart-label" x="{}" y="{}">{}</text>',
                LEFT,
                TOP + 24,
                _("No first responses in this period."),
            )
        )
    return _svg(
        key="chart-first-response",
        height=height,
        title=_("First-response time against the target, in business hours"),
        description=_(
            "For each service and priority: the median and the 90th percentile of the time to "
            "the first response as bars, the target as a line. The table below has the same "
            "numbers."
        ),
        body=_join(parts),
    )


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))
