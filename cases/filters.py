"""The case list's filters and sort: every key from an allow-list, never from the request."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.fields import CatalogChoiceField
from cases.models import CaseStatus
from cases.selectors import CasesByPriority
from catalog import selectors

SORTS = {
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "number": ("number",),
    "-number": ("-number",),
    "subject": ("subject", "id"),
    "-subject": ("-subject", "-id"),
    "status": ("status", "-updated_at"),
    "-status": ("-status", "-updated_at"),
    # Read group by group (cases.selectors.CasesByPriority), in exactly this order.
    "priority": ("priority__position", "priority_id", "-updated_at", "-id"),
    "-priority": ("-priority__position", "-priority_id", "-updated_at", "-id"),
}
STATES = [
    ("", _("All statuses")),
    ("open", _("Open")),
    ("closed", _("Closed")),
    *CaseStatus.choices,
]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or subject"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("Status"), choices=STATES, required=False)
    service = CatalogChoiceField(
        label=_("Service"),
        queryset=selectors.no_services(),  # the company's plan's: see __init__
        required=False,
        empty_label=_("All"),
    )
    priority = CatalogChoiceField(
        label=_("Priority"),
        queryset=selectors.every_priority(),
        required=False,
        empty_label=_("All"),
    )
    mine = forms.ChoiceField(
        label=_("Created by"),
        choices=[("", _("Anyone in my company")), ("1", _("Me"))],
        required=False,
    )
    sort = forms.ChoiceField(
        choices=[(key, key) for key in SORTS], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The services of the company's contract plan (the guide's menus differ between MDR
        # Lite and Ultimate): a Lite company is never offered an Ultimate service to filter by.
        self.services = selectors.services_of_company_plan(user.company_id)
        self.fields["service"].queryset = self.services  # type: ignore[attr-defined]

    def select_lists(self):
        """(bound field, [(value, label, selected), …]) for each list of the filter row, which
        cases/_case_list.html draws itself: Django's widget templates cost more than the rows
        of the list. Selected as Select widgets select: the submitted value, even an unknown
        one (then none is)."""
        # The priorities from the process's copy, the plan's services in one query; the fields
        # validate against the database.
        kept = {
            "service": lambda: [(service.pk, service.name) for service in self.services],
            "priority": selectors.every_priority_choices,
        }
        lists = []
        for name in ("state", "service", "priority", "mine"):
            field = self[name]
            chosen = "" if field.value() is None else str(field.value())
            if name in kept:
                choices = [("", field.field.empty_label), *kept[name]()]  # type: ignore[attr-defined]
            else:
                choices = field.field.choices  # type: ignore[attr-defined]
            options = [(str(value), label, str(value) == chosen) for value, label in choices]
            lists.append((field, options))
        return lists

    def apply(self, cases):
        if not self.is_valid():
            return cases.order_by(*SORTS["-updated"])
        data = self.cleaned_data
        if term := data["q"].strip():
            cases = cases.filter(Q(number__contains=term) | Q(subject__icontains=term))
        state = data["state"]
        if state == "open":
            cases = cases.open()
        elif state == "closed":
            cases = cases.closed()
        elif state:
            cases = cases.filter(status=state)
        if data["service"]:
            cases = cases.filter(service=data["service"])
        if data["priority"]:
            cases = cases.filter(priority=data["priority"])
        if data["mine"]:
            cases = cases.filter(created_by=self.user)
        sort = data["sort"] or "-updated"
        if sort in ("priority", "-priority"):
            return CasesByPriority(cases, descending=sort == "-priority")
        return cases.order_by(*SORTS[sort])
