"""The rows of a case's Details tab, built in one place; `cases/_details.html` only loops."""

from typing import NamedTuple

from django.template import defaultfilters
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from cases.models import Case
from catalog.response_targets import NOT_A_COMMITMENT, first_response_text, next_response_text
from desk.business_hours import Calendar


class DetailRow(NamedTuple):
    label: str
    # Plain text is escaped by the template; markup comes marked safe (format_html).
    value: object
    css: str = ""


def case_detail_rows(
    case: Case,
    *,
    response_minutes: int | None,
    next_minutes: int | None = None,
    calendar: Calendar | None = None,
) -> list[DetailRow]:
    """(label, value) rows in the order the page shows them. Rows for what a case does not
    have are left out: instance IDs, main content and problem, the response target, the case
    it follows; a case has either a product with version and OS, or a product group and a
    list of products."""
    rows = [
        DetailRow(_("Company name"), case.company.name),
        DetailRow(_("Contact name"), case.created_by.full_name),
        DetailRow(_("Service"), case.service.name),
    ]
    if case.eset_protect_instance_id:
        rows.append(
            DetailRow(
                _("ESET PROTECT instance ID"),
                format_html("<code>{}</code>", case.eset_protect_instance_id),
            )
        )
    if case.eset_inspect_instance_id:
        rows.append(
            DetailRow(
                _("ESET Inspect instance ID"),
                format_html("<code>{}</code>", case.eset_inspect_instance_id),
            )
        )
    if case.product:
        rows += [
            DetailRow(_("Product ID"), case.product.name),
            # An operator may have cleared these in the admin: the row stays, empty.
            DetailRow(_("Product version"), getattr(case.product_version, "version", "")),
            DetailRow(_("OS"), getattr(case.operating_system, "name", "")),
        ]
    else:
        rows += [
            DetailRow(
                _("Product group"), case.product_group.name if case.product_group else _("All")
            ),
            DetailRow(
                _("Selected products"), ", ".join(product.name for product in case.products.all())
            ),
        ]
    # The product-group layout asks for no main content or problem: no rows for them.
    if case.main_content:
        rows.append(DetailRow(_("Main content"), case.main_content.name))
    if case.problem:
        rows.append(DetailRow(_("Problem"), case.problem.name))
    rows.append(DetailRow(_("Priority"), case.priority.name))
    if response_minutes:
        rows.append(
            DetailRow(
                _("Response target"), _target_html(case, response_minutes, next_minutes, calendar)
            )
        )
    if case.follows:
        rows.append(
            DetailRow(
                _("Follows case"),
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("cases:detail", args=[case.follows.number]),
                    case.follows.number,
                ),
            )
        )
    rows += [
        # As the template's |date filter shows it: in the reader's time zone.
        DetailRow(
            _("Created"),
            defaultfilters.date(timezone.localtime(case.created_at), "DATETIME_FORMAT"),
        ),
        DetailRow(_("Description"), case.description_as_html, css="hub-text"),
    ]
    return rows


def _target_html(case: Case, first: int, following: int | None, calendar: Calendar | None):
    """The targets in business hours and, while the clock runs, about when the response is
    expected, in the reader's time zone; nothing of the kind while the case waits for the
    customer or once it is past (a target, never a promise: NOT_A_COMMITMENT says so)."""
    lines = [first_response_text(first, calendar)]
    if following:
        lines.append(next_response_text(following))
    due = case.response_due_at
    if due is not None and case.response_running_since is not None and due > timezone.now():
        when = defaultfilters.date(timezone.localtime(due), "DATETIME_FORMAT")
        lines.append(_("Estimate: %(when)s") % {"when": when})
    return format_html(
        '{}<div class="small text-body-secondary">{}</div>',
        format_html_join("", "<div>{}</div>", ((line,) for line in lines)),
        NOT_A_COMMITMENT,
    )
