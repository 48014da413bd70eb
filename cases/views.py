from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import ServiceSubscription
from cases.decorators import company_member_required
from cases.forms import CaseForm, new_submission_id
from cases.models import Case
from cases.services import case_open
from catalog.models import Service
from catalog.selectors import default_priority, response_target_minutes


@company_member_required
def dashboard(request):
    """「サービスとケース」: one tile per service subscription of the user's company."""
    today = timezone.localdate()
    subscriptions = ServiceSubscription.objects.filter(company_id=request.user.company_id)
    tiles = [
        {"subscription": s, "state": s.state(today), "allows": s.allows_new_cases(today)}
        for s in subscriptions.select_related("service")
    ]
    context = {
        "tiles": tiles,
        "can_create": any(tile["allows"] for tile in tiles),
        "discover_url": settings.DISCOVER_SERVICES_URL,
    }
    return render(request, "cases/dashboard.html", context)


@company_member_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    today = timezone.localdate()
    company = request.user.company
    if request.method == "GET":
        initial = {"submission_id": new_submission_id()}
        service = Service.objects.filter(code=request.GET.get("service", "")).first()
        if service:
            initial["service"] = str(service.pk)
        if priority := default_priority():
            initial["priority"] = str(priority.pk)
        form = CaseForm(initial=initial, company=company, today=today, refresh_url=request.path)
    elif request.POST.get("action") != "create":
        # A refresh (htmx or the no-JavaScript "Update" buttons): narrow the dependent lists,
        # keep everything typed, show no errors yet.
        form = CaseForm(
            initial=request.POST, company=company, today=today, refresh_url=request.path
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
def case_detail(request, number):
    case = get_object_or_404(
        Case.objects.for_user(request.user).select_related(
            "service",
            "company",
            "created_by",
            "product",
            "product_version",
            "operating_system",
            "product_group",
            "main_content",
            "problem",
            "priority",
            "stage",
        ),
        number=number,
    )
    context = {
        "case": case,
        "response_minutes": response_target_minutes(case.service, case.priority),
    }
    return render(request, "cases/case_detail.html", context)
