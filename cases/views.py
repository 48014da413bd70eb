import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from accounts.models import ServiceSubscription, TileState
from cases import selectors, upload_script
from cases.decorators import company_member_required
from cases.details import case_detail_rows
from cases.downloads import attachment_response
from cases.fields import as_case_number, as_id
from cases.filters import CaseFilterForm
from cases.forms import CaseForm, MessageForm, new_submission_id
from cases.models import Attachment, Case, CaseClosed, CaseStatus
from cases.progress import case_progress, page_is_current
from cases.services import case_open, message_post
from catalog.selectors import default_priority, response_targets, service_by_code
from desk.calendars import support_calendar

logger = logging.getLogger(__name__)


@company_member_required
def dashboard(request):
    """「サービスとケース」: one tile per service subscription of the user's company."""
    today = timezone.localdate()
    subscriptions = ServiceSubscription.objects.filter(company_id=request.user.company_id)
    tiles = [
        {"subscription": s, "state": s.state(today), "allows": s.allows_new_cases(today)}
        for s in subscriptions.select_related("service")
    ]
    filters = CaseFilterForm(request.GET or None, user=request.user)
    cases = filters.apply(Case.objects.for_user(request.user).for_list())
    page = Paginator(cases, settings.CASE_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    # Translated once a page rather than once a row (get_status_display builds its choices).
    status_labels = {value: str(label) for value, label in CaseStatus.choices}
    context = {
        "tiles": tiles,
        "tile_states": TileState,
        "statuses": CaseStatus,
        "can_create": any(tile["allows"] for tile in tiles),
        "discover_url": settings.DISCOVER_SERVICES_URL,
        "filters": filters,
        "page": page,
        "rows": [(case, status_labels[case.status]) for case in page],
        "case_link": _link_around("cases:detail", CASE_NUMBER_PLACEHOLDER),
        "query": query.urlencode(),
        "sort": (filters.cleaned_data.get("sort") if filters.is_valid() else "") or "-updated",
        "sort_columns": [
            ("number", _("Case number")),
            ("subject", _("Subject")),
            ("status", _("Status")),
            ("priority", _("Priority")),
            ("created", _("Created")),
            ("updated", _("Last updated")),
        ],
    }
    return render(request, "cases/dashboard.html", context)


@company_member_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    today = timezone.localdate()
    company = request.user.company
    if request.method == "GET":
        initial = {"submission_id": new_submission_id()}
        # Links from the tiles and the follow-up button; anything else in them is ignored.
        if service := service_by_code(request.GET.get("service", "")):
            initial["service"] = str(service.pk)
        if priority := default_priority():
            initial["priority"] = str(priority.pk)
        if follows := as_case_number(request.GET.get("follows")):
            initial["follows"] = follows
        form = CaseForm(initial=initial, company=company, today=today, refresh_url=request.path)
    elif request.POST.get("action") != "create":
        # A refresh (htmx or the no-JavaScript "Update" buttons): narrow the dependent lists,
        # keep everything typed and chosen, show no errors yet.
        form = CaseForm.refreshed(
            request.POST, company=company, today=today, refresh_url=request.path
        )
    else:
        form = CaseForm(data=request.POST, company=company, today=today, refresh_url=request.path)
        if form.is_valid():
            try:
                case = case_open(user=request.user, today=today, data=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Case %(number)s was created.") % {"number": case.number}
                )
                return redirect("cases:detail", case.number)
    template = "cases/case_form.html"
    if request.htmx:
        template += "#case-fields"
    return render(request, template, {"form": form})


@company_member_required
@require_http_methods(["GET"])
def product_suggestions(request):
    """The 商品ID box's suggestions for what was typed (htmx, as `product_query`): the options
    of its list and, for screen readers, how many match. No query beyond the sign-in's."""
    found = selectors.product_suggestions(request.GET.get("product_query", ""))
    return render(request, "cases/_product_suggestions.html", {"found": found})


# Stand-ins for the last argument of an address that a list's rows complete themselves.
CASE_NUMBER_PLACEHOLDER = "99999999"
ID_PLACEHOLDER = 2**31 - 1


def _link_around(name, *args):
    """The address of `name` for `args`, split around its last argument (a placeholder): a
    list reverses once and each row puts its own value between the two halves
    (`{{ link.before }}{{ value }}{{ link.after }}`); reverse() costs as much as a row."""
    before, _placeholder, after = reverse(name, args=args).rpartition(str(args[-1]))
    return {"before": before, "after": after}


def _case_for(request, number, cases):
    """The case of that number if this user may see it, read as `cases` reads it (each view
    loads what it shows: CaseQuerySet); 404 exactly like a missing one."""
    if as_case_number(number) is None:
        raise Http404  # not a case number: no query
    return get_object_or_404(cases.for_user(request.user), number=number)


def _no_store(response):
    """A poll's answer is never reused: a browser that revalidated a cached fragment would hand
    htmx the old messages again, and the thread would show them twice."""
    response["Cache-Control"] = "no-store"
    return response


class CaseTab(models.TextChoices):
    """The sections of a case page, each drawn by its own partial (`cases/_<value>.html`)."""

    DETAILS = "details", gettext_lazy("Details")
    CHATTER = "chatter", gettext_lazy("Chatter")
    ATTACHMENTS = "attachments", gettext_lazy("Attachments")

    @property
    def template(self) -> str:
        return f"cases/_{self.value}.html"


@company_member_required
def case_detail(request, number):
    asked = request.GET.get("tab")
    tab = CaseTab(asked) if asked in CaseTab.values else CaseTab.DETAILS
    # Every relation for the Details tab; the other tabs show only the header's.
    cases = Case.objects.with_details() if tab == CaseTab.DETAILS else Case.objects.for_page()
    case = _case_for(request, number, cases)
    context = {
        "case": case,
        "tab": tab,
        "progress": case_progress(case),
        "tab_labels": CaseTab.choices,
    }
    if tab == CaseTab.DETAILS:
        targets = response_targets(case.service, case.priority) or (None, None)
        context["details"] = case_detail_rows(
            case,
            response_minutes=targets[0],
            next_minutes=targets[1],
            calendar=support_calendar(),
        )
    if tab == CaseTab.CHATTER:
        context |= _thread_page(request, case, before=request.GET.get("before"))
        context["post_form"] = MessageForm(initial={"post_id": uuid.uuid4()})
        context["poll_seconds"] = settings.CHATTER_POLL_SECONDS
    if tab == CaseTab.ATTACHMENTS:
        context |= selectors.attachments_page(case, every=request.GET.get("files") == "all")
        context["download_link"] = _link_around(
            "cases:attachment_download", case.number, ID_PLACEHOLDER
        )
        context["limits"] = {
            "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
            "files": settings.ATTACHMENT_MAX_FILES,
        }
    return render(request, "cases/case_detail.html", context)


def _thread_page(request, case, *, before=None):
    """The newest page of the thread (or the page before message `before`), oldest first."""
    newest_first, has_older = selectors.thread_page(case, request.user, before=as_id(before))
    thread = newest_first[::-1]
    return {
        "thread": thread,
        "has_older": has_older,
        "oldest_id": thread[0].pk if thread else None,
        "newest_id": thread[-1].pk if thread else 0,
    }


@company_member_required
def chatter_older(request, number):
    """An earlier page of the thread, for htmx to put above the current one."""
    case = _case_for(request, number, Case.objects.for_thread())
    context = {"case": case} | _thread_page(request, case, before=request.GET.get("before"))
    return render(request, "cases/_thread_page.html", context)


@company_member_required
def chatter_updates(request, number):
    """Polled by htmx every few seconds with the newest message id and the status and stage
    the page shows (`after`, cases.progress.page_state). Nothing new: 204 after one query and
    no template, and htmx swaps nothing. Otherwise the messages newer than `after` (a page at
    most) and, out of band, every part of the page that depends on the status
    (cases/_status.html), together."""
    case = _case_for(request, number, Case.objects.for_poll(request.user))
    after = as_id(request.GET.get("after")) or 0
    has_new = (case.newest_message_id or 0) > after
    if not has_new and page_is_current(case, request.GET):
        return _no_store(HttpResponse(status=204))
    new = []
    if has_new:
        new = list(
            selectors.thread(case, request.user)
            .filter(pk__gt=after)
            .order_by("id")[: settings.CHATTER_PAGE_SIZE]
        )
    context = {
        "case": case,
        "thread": new,
        "newest_id": new[-1].pk if new else after,
        "poll_seconds": settings.CHATTER_POLL_SECONDS,
        "progress": case_progress(case),
        "status_changed": request.GET.get("status") != case.status,
    }
    return _no_store(render(request, "cases/_chatter_updates.html", context))


@company_member_required
@require_http_methods(["POST"])
def chatter_post(request, number):
    """Share an update → Share post → confirm. Without JavaScript the confirmation is a page."""
    case = _case_for(request, number, Case.objects.all())  # message_post locks and reads it anew
    form = MessageForm(request.POST)
    detail = reverse("cases:detail", args=[case.number]) + "?tab=chatter"
    if not form.is_valid():
        return render(
            request, "cases/chatter_confirm.html", {"case": case, "form": form}, status=400
        )
    if request.POST.get("confirm") != "yes":
        return render(request, "cases/chatter_confirm.html", {"case": case, "form": form})
    try:
        message_post(
            case=case,
            author=request.user,
            body=form.cleaned_data["body"],
            post_id=form.cleaned_data["post_id"],
        )
    except CaseClosed:
        messages.error(
            request,
            _("This case was closed more than %(days)d days ago. Please create a new case.")
            % {"days": settings.CASE_REOPEN_DAYS},
        )
        return redirect(detail)
    messages.success(request, _("Your update was shared."))
    return redirect(detail + "#latest")


@company_member_required
@require_http_methods(["POST"])
def attachments_upload(request, number):
    case = _case_for(request, number, Case.objects.all())
    received = upload_script.receive(request, case)
    if upload_script.from_script(request):
        return upload_script.answer(received)
    for text in received.errors:
        messages.error(request, text)
    if received.attached:
        count = len(received.attached)
        messages.success(
            request,
            ngettext("%(count)d file was attached.", "%(count)d files were attached.", count)
            % {"count": count},
        )
    return redirect(reverse("cases:detail", args=[case.number]) + "?tab=attachments")


@company_member_required
def attachment_download(request, number, attachment_id):
    if as_case_number(number) is None:
        raise Http404
    # The case's access check and the file in one query: 404 for either missing. The company
    # named here too: AttachmentQuerySet.for_user lets an operator reach every file.
    attachment = get_object_or_404(
        Attachment.objects.for_user(request.user),
        pk=attachment_id,
        case__number=number,
        case__company_id=request.user.company_id,
    )
    return attachment_response(attachment)


@company_member_required
def case_follow_up(request, number):
    """After the reopening window: a new case that refers to the closed one."""
    case = _case_for(request, number, Case.objects.for_page())
    return redirect(f"{reverse('cases:create')}?follows={case.number}&service={case.service.code}")
