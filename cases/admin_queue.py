"""The operators' queue: the list side of the case admin (columns, views with counts, saved
views, bulk actions). CaseAdmin in cases/admin.py mixes QueueAdmin in."""

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases import admin_saved_views
from cases.models import Case, CaseStatus
from cases.queue import QUEUE_ORDER
from cases.services import case_update
from desk import queue
from desk.models import SavedView
from desk.relative import ago_text, due_text

# A due or activity time in full (a title beside the relative text), in the operator's time
# zone with its offset: digits only, the same in both languages.
EXACT_FORMAT = "Y-m-d H:i O"
# The most cases one bulk action changes (each is a locked update, an audit event and an email).
BULK_LIMIT = 500


def moment_for(request) -> queue.Moment:
    """The views' now, midnight and N, once per request: the filter and the counts agree."""
    if not hasattr(request, "_queue_moment"):
        days = queue.days_from(request.GET.get(queue.DAYS_PARAM))
        request._queue_moment = queue.Moment.of(request.user, days)
    return request._queue_moment


class WaitingForEsetFilter(admin.SimpleListFilter):
    title = _("waiting for ESET")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=CaseStatus.WAITING_FOR_ESET)
        if self.value() == "no":
            return queryset.exclude(status=CaseStatus.WAITING_FOR_ESET)
        return queryset


class QueueViewFilter(admin.ListFilter):
    """Applies `?view=…&days=…` (desk.queue). Shown above the list with counts, not in the
    filter sidebar: its template prints nothing. An unknown view shows every case."""

    title = _("view")
    template = "admin/cases/case/queue_view_filter.html"
    parameter_names = (queue.VIEW_PARAM, queue.DAYS_PARAM)

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.used = {}
        for name in self.expected_parameters():
            if name in params:
                value = params.pop(name)
                self.used[name] = value[-1] if isinstance(value, list) else value

    def has_output(self):
        return True  # or the changelist would neither consume nor apply the parameters

    def expected_parameters(self):
        return list(self.parameter_names)

    def choices(self, changelist):
        return []

    def queryset(self, request, queryset):
        view = queue.view_from(self.used.get(queue.VIEW_PARAM))
        return queue.in_view(queryset, view, moment_for(request))


class OperatorForm(forms.Form):
    operator = forms.ModelChoiceField(
        label=_("Operator"),
        # Only those who can sign in to the admin can be given cases.
        queryset=User.objects.filter(is_staff=True, is_active=True).order_by("full_name", "email"),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)


if TYPE_CHECKING:
    # What the mixin is mixed into, so that its attributes and super() type-check.
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class QueueAdmin(_ModelAdminBase):
    """The case list as the operators' queue. Mixed into CaseAdmin (a ModelAdmin)."""

    list_display = (
        "number",
        "subject",
        "due",
        "status",
        "assigned_to",
        "company",
        "service",
        "priority",
        "last_customer_activity",
    )
    # No company filter: a thousand companies would be a thousand links on every list page;
    # the search box finds a company by name. The operator filter lists operators only
    # (limit_choices_to), without scanning every case for who is assigned.
    list_filter = (
        QueueViewFilter,
        WaitingForEsetFilter,
        "status",
        "service",
        "priority",
        "assigned_to",
    )
    list_select_related = ("company", "service", "priority", "assigned_to")
    # The filtered count only: a second count of every case is a full scan per list page; the
    # views' counts (one query) say how many each holds. Facets would scan per filter.
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    change_list_template = "admin/cases/case/change_list.html"
    actions = ("assign_to_me", "assign_to_operator", "change_status")

    def get_ordering(self, request):
        # Awaiting ESET first, then by due time (none last), then id: read in order from the
        # cases_case_queue_due index, a page at a time, however many cases.
        return list(QUEUE_ORDER)

    # -- columns --------------------------------------------------------------------------

    @admin.display(description=_("due"), ordering=F("response_due_at").asc(nulls_last=True))
    def due(self, case):
        if case.response_due_at is None:
            if case.response_clock.is_paused:
                # Waiting for the customer: the clock keeps what it used for when they answer.
                return format_html('<span class="hub-due hub-due-paused">{}</span>', _("paused"))
            return None
        now = timezone.now()
        exact = date_format(timezone.localtime(case.response_due_at), EXACT_FORMAT)
        text = due_text(case.response_due_at, now)
        if case.response_due_at >= now:
            return format_html('<span class="hub-due" title="{}">{}</span>', exact, text)
        # Overdue in words and with an icon, not by colour alone.
        return format_html(
            '<span class="hub-due hub-due-overdue" title="{}" data-testid="overdue">'
            '<img src="{}" alt="" width="14" height="14"> {}</span>',
            exact,
            static("admin/img/icon-alert.svg"),
            text,
        )

    @admin.display(
        description=_("last customer activity"),
        ordering=F("last_customer_activity_at").desc(nulls_last=True),
    )
    def last_customer_activity(self, case):
        if case.last_customer_activity_at is None:
            return None
        exact = date_format(timezone.localtime(case.last_customer_activity_at), EXACT_FORMAT)
        text = ago_text(case.last_customer_activity_at, timezone.now())
        return format_html('<span class="hub-ago" title="{}">{}</span>', exact, text)

    # -- views, counts and saved views above the list ---------------------------------------

    def changelist_view(self, request, extra_context=None):
        if queue.DAYS_PARAM in request.GET:
            # N as read (held within bounds, the default for nonsense) before the changelist
            # sees it: hub.sites.BoundedQueries would refuse a huge number with a 400.
            request.GET = request.GET.copy()
            request.GET[queue.DAYS_PARAM] = str(queue.days_from(request.GET[queue.DAYS_PARAM]))
        # The operators' queue, not Django's "Select case to change".
        extra_context = (extra_context or {}) | {"title": _("Queue")}
        if request.method == "GET":
            extra_context |= self.queue_context(request)
        return super().changelist_view(request, extra_context)

    def queue_context(self, request) -> dict:
        moment = moment_for(request)
        counted = queue.counts(Case.objects.all(), moment)
        current = queue.view_from(request.GET.get(queue.VIEW_PARAM))
        views = []
        for view in queue.VIEWS:
            query = {queue.VIEW_PARAM: view.key}
            label: str = str(view.label)
            if view.key == "waiting":
                query[queue.DAYS_PARAM] = str(moment.days)
                label = ngettext(
                    "Waiting for the customer over %(days)d day",
                    "Waiting for the customer over %(days)d days",
                    moment.days,
                ) % {"days": moment.days}
            views.append(
                {
                    "key": view.key,
                    "label": label,
                    "count": counted[view.key],
                    "href": "?" + urlencode(query),
                    "current": view.key == current,
                }
            )
        here = admin_saved_views.clean_query(request.GET.urlencode())
        saved = list(SavedView.objects.filter(owner=request.user).only("id", "name", "query"))
        return {
            "queue_views": views,
            "queue_days": moment.days,
            "queue_days_bounds": (queue.MIN_DAYS, queue.MAX_DAYS),
            "saved_views": saved,
            "current_query": here,
            "saved_view_form": admin_saved_views.SavedViewForm(initial={"query": here}),
        }

    def get_urls(self):
        return admin_saved_views.urls(self) + super().get_urls()

    # -- bulk actions ---------------------------------------------------------------------

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        def text(count):
            return ngettext(
                "%(count)d case was assigned to you.",
                "%(count)d cases were assigned to you.",
                count,
            ) % {"count": count}

        self._change_each(request, queryset, text, assigned_to=request.user)

    @admin.action(description=_("Assign to an operator…"), permissions=["change"])
    def assign_to_operator(self, request, queryset):
        form = OperatorForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._confirmation(request, queryset, form, _("Assign to an operator"))
        operator = form.cleaned_data["operator"]

        def text(count):
            return ngettext(
                "%(count)d case was assigned to %(operator)s.",
                "%(count)d cases were assigned to %(operator)s.",
                count,
            ) % {"count": count, "operator": operator}

        self._change_each(request, queryset, text, assigned_to=operator)
        return None

    @admin.action(description=_("Change status…"), permissions=["change"])
    def change_status(self, request, queryset):
        form = StatusForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._confirmation(request, queryset, form, _("Change status"))
        status = form.cleaned_data["status"]

        def text(count):
            return ngettext(
                "%(count)d case was moved to %(status)s.",
                "%(count)d cases were moved to %(status)s.",
                count,
            ) % {"count": count, "status": CaseStatus(status).label}

        self._change_each(request, queryset, text, status=status)
        return None

    def _confirmation(self, request, queryset, form, title):
        """The page between choosing an action and doing it, as Django's delete
        confirmation: the cases it will change, and the operator or status to choose."""
        opts = Case._meta
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": opts,
            "cases": queryset.select_related(None).only("id", "number", "subject"),
            "form": form,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cases/case/bulk_confirmation.html", context)

    def _change_each(self, request, queryset, done_text, **change) -> None:
        """Each case through case_update, as its own page would change it: the same rules,
        audit events and notifications. Refusals are reported, the others still done; then
        done_text(count) says how many changed."""
        selected = list(queryset.order_by("id").values_list("id", "number")[: BULK_LIMIT + 1])
        if len(selected) > BULK_LIMIT:
            # Each case is its own locked update and notification: a request doing thousands
            # would outlast any proxy's timeout halfway. Nothing is changed.
            self.message_user(
                request,
                _(
                    "Change at most %(count)d cases at a time: "
                    "narrow the list with a view or a filter."
                )
                % {"count": BULK_LIMIT},
                messages.ERROR,
            )
            return
        done, same, refused = 0, 0, []
        for case_id, number in selected:
            try:
                changed = self._change_one(request, case_id, change)
            except (ValidationError, ValueError, PermissionDenied) as error:
                refused.append((number, _reason(error)))
            else:
                done += changed is True
                same += changed is False
        if done:
            self.message_user(request, done_text(done), messages.SUCCESS)
        if same:
            self.message_user(
                request,
                ngettext(
                    "%(count)d case was already so and was left as it was.",
                    "%(count)d cases were already so and were left as they were.",
                    same,
                )
                % {"count": same},
                messages.INFO,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d case could not be changed: %(reasons)s",
                    "%(count)d cases could not be changed: %(reasons)s",
                    len(refused),
                )
                % {
                    "count": len(refused),
                    "reasons": "; ".join(f"{number} ({why})" for number, why in refused),
                },
                messages.ERROR,
            )

    def _change_one(self, request, case_id: int, change: dict) -> bool | None:
        """One case, read under its lock rather than from a read of them all before the first
        change: what a customer or a colleague changed meanwhile (a reply moving the status, a
        stage) is kept, not put back with a notification saying so. True when changed, False
        when already so, None when the case is gone."""
        with transaction.atomic():
            locked = Case.objects.select_for_update(of=("self",)).select_related(
                "stage", "assigned_to"
            )
            try:
                case = locked.get(pk=case_id)
            except Case.DoesNotExist:
                return None
            wanted = {
                "status": change.get("status", case.status),
                "stage": case.stage,
                "assigned_to": change.get("assigned_to", case.assigned_to),
            }
            if wanted["status"] == case.status and wanted["assigned_to"] == case.assigned_to:
                return False
            if not self.has_change_permission(request, case):
                raise PermissionDenied
            case_update(case=case, operator=request.user, **wanted)
            return True


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied):
        return gettext("not allowed")
    return gettext("refused")
