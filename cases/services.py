"""Writes of the cases app."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import ServiceSubscription, User
from cases.models import Case
from hub.emails import absolute_url, queue_email


def case_open(*, user: User, today: dt.date, data: dict) -> Case:
    """File a case from validated form data. Idempotent per form: a re-posted or double-clicked
    form returns the case it made. Consumes one sub-service where the subscription counts them."""
    try:
        with transaction.atomic():
            existing = Case.objects.filter(
                created_by=user, submission_id=data["submission_id"]
            ).first()
            if existing:
                return existing
            subscription = _consume_sub_service(user=user, service=data["service"], today=today)
            case = Case.objects.create(
                company_id=user.company_id,
                created_by=user,
                subscription=subscription,
                service=data["service"],
                subject=data["subject"],
                eset_protect_instance_id=data["eset_protect_instance_id"],
                eset_inspect_instance_id=data["eset_inspect_instance_id"],
                product=data["product"],
                product_version=data["product_version"],
                operating_system=data["operating_system"],
                product_group=data["product_group"],
                main_content=data["main_content"],
                problem=data["problem"],
                priority=data["priority"],
                description=data["description"],
                submission_id=data["submission_id"],
            )
            # The id is unique under any concurrency, so the number made from it is too.
            case.number = f"{settings.CASE_NUMBER_START + case.pk:08d}"
            case.save(update_fields=["number"])
            if data["products"]:
                case.products.set(data["products"])
            _notify_case_created(case)
            return case
    except IntegrityError:
        # Two submissions of one form raced: the other one made the case.
        existing = Case.objects.filter(created_by=user, submission_id=data["submission_id"]).first()
        if existing is None:
            raise
        return existing


def _consume_sub_service(*, user, service, today) -> ServiceSubscription:
    usable = (
        ServiceSubscription.objects.filter(company_id=user.company_id, service=service)
        .usable(today)
        .order_by("valid_to", "id")
    )
    for subscription in usable:
        if subscription.sub_services_included is None:
            return subscription
        # Conditional update: of two parallel cases for the last sub-service, one wins.
        taken = ServiceSubscription.objects.filter(
            pk=subscription.pk, sub_services_used__lt=F("sub_services_included")
        ).update(sub_services_used=F("sub_services_used") + 1)
        if taken:
            return subscription
    raise ValidationError(
        {"service": _("This service cannot take new cases: its subscription is used up or over.")}
    )


def case_recipients(case: Case):
    """Who hears about a case: its creator, and colleagues who did not limit mail to their own."""
    colleagues = User.objects.filter(company_id=case.company_id, is_active=True)
    return [
        user
        for user in colleagues
        if user.pk == case.created_by_id or not user.notify_own_cases_only
    ]


def _notify_case_created(case: Case) -> None:
    url = absolute_url(reverse("cases:detail", args=[case.number]))
    for recipient in case_recipients(case):
        queue_email(
            to=recipient.email,
            template="case_created",
            context={
                "name": recipient.full_name,
                "case": case,
                "creator": case.created_by.full_name,
                "service": case.service,
                "url": url,
            },
            language=recipient.language,
            time_zone=recipient.zone,
        )
