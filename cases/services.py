"""Writes of the cases app."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import audit
from accounts.models import ServiceSubscription, User
from cases import previews, uploads
from cases.models import Attachment, Case, Message
from catalog.selectors import response_targets
from desk.calendars import support_calendar
from desk.services import response_record
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
                company_id=subscription.company_id,  # the user's company's subscription
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
                follows=data.get("follows"),
            )
            case.assign_number()
            targets = response_targets(case.service, case.priority)
            case.clock_filed(
                first_target=targets[0] if targets else None,
                calendar=support_calendar(),
                now=case.created_at,
            )
            case.save(update_fields=Case.CLOCK_FIELDS)
            if data["products"]:
                case.products.set(data["products"])
            audit.record(
                action=audit.Action.CASE_CREATED,
                actor=user,
                subject=case,
                service=case.service.code,
                priority=case.priority.code,
            )
            _notify_case_created(case)
            return case
    except (IntegrityError, ValidationError):
        # Two submissions of one form raced: the other one made the case (and may have taken
        # the last sub-service while this one waited for the lock).
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
                # The creator reads of their own case in the first person, not by name.
                "by_reader": recipient.pk == case.created_by_id,
                "service": case.service,
                "url": url,
            },
            language=recipient.language,
            time_zone=recipient.zone,
        )


# Chatter ---------------------------------------------------------------------------------


def message_post(
    *, case: Case, author: User, body: str, post_id, internal: bool = False
) -> Message:
    """Post in a case's Chatter, from the portal or the admin alike, and tell the other side.
    A public post moves the case (Case.move_for_public_post: a customer's post on a case closed
    too long ago raises CaseClosed and keeps nothing). Idempotent per form (post_id)."""
    by_operator = author.is_staff
    internal = internal and by_operator
    try:
        with transaction.atomic():
            existing = Message.objects.filter(author=author, post_id=post_id).first()
            if existing:
                return existing
            # Lock the case: parallel posts keep a stable order and one status change each.
            case = Case.objects.select_for_update().get(pk=case.pk)
            before = case.status
            if not internal:
                _clock_for_post(case, author)
                case.move_for_public_post(by_operator=by_operator)  # may raise CaseClosed
            message = Message.objects.create_post(
                case=case, author=author, body=body, post_id=post_id, internal=internal
            )
            if not internal:
                case.save()
                _audit_changes(case, author, {"status": before})
                _notify_post(case, message)
            return message
    except IntegrityError:
        existing = Message.objects.filter(author=author, post_id=post_id).first()
        if existing is None:
            raise
        return existing


def _clock_for_post(case: Case, author: User) -> None:
    """A public post moves the response clock: an operator's answers it (and records how the
    response measured up), a customer's starts the next one (or resumes a paused one). Called
    before the post moves the status, which tells a reopening post from a refused one."""
    calendar, now = support_calendar(), timezone.now()
    if not author.is_staff:
        if case.is_closed and not case.is_reopenable(now):
            return  # refused below: nothing is kept
        targets = response_targets(case.service, case.priority)
        case.clock_customer_posted(
            next_target=targets[1] if targets else None, calendar=calendar, now=now
        )
        return
    answer = case.clock_answered(calendar=calendar, now=now)
    if answer is not None:
        response_record(case=case, answer=answer, responded_at=now, responder_id=author.pk).save()


def case_update(*, case: Case, operator: User, status: str, stage, assigned_to) -> Case:
    """An operator's changes from the admin; the company hears of status and stage changes."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        old_status, old_stage = locked.status, locked.stage_id
        before = _audit_state(locked)
        if locked.move_to(status):
            locked.clock_follow_status(calendar=support_calendar(), now=locked.status_changed_at)
        locked.stage = stage
        locked.assigned_to = assigned_to
        locked.save()
        _audit_changes(locked, operator, before)
        if locked.status != old_status:
            template = "case_closed" if locked.is_closed else "case_status_changed"
            _notify_company(locked, template, {"status": locked.get_status_display})
        if locked.stage_id != old_stage and locked.stage is not None:
            _notify_company(locked, "case_stage_changed", {"stage": locked.stage})
    return locked


# The case fields whose changes the audit trail keeps, each as readable text.
AUDITED_CHANGES = {
    "status": (audit.Action.CASE_STATUS_CHANGED, lambda case: case.status),
    "stage": (audit.Action.CASE_STAGE_CHANGED, lambda case: case.stage and case.stage.code),
    "assigned_to": (
        audit.Action.CASE_ASSIGNED,
        lambda case: case.assigned_to and case.assigned_to.email,
    ),
}


def _audit_state(case: Case) -> dict:
    return {field: value(case) for field, (_action, value) in AUDITED_CHANGES.items()}


def _audit_changes(case: Case, actor: User, before: dict) -> None:
    """One audit event per field of `before` that changed, in the transaction changing it."""
    for field, old in before.items():
        action, value = AUDITED_CHANGES[field]
        if old != (new := value(case)):
            audit.record(action=action, actor=actor, subject=case, old=old, new=new)


# Attachments -----------------------------------------------------------------------------


def attachments_add(*, case: Case, uploader: User, files) -> list[Attachment]:
    """Check every file first (count, size, type by content), then store them all or none."""
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(
            _("Attach at most %(count)d files at a time."),
            params={"count": settings.ATTACHMENT_MAX_FILES},
        )
    checked = []
    for uploaded in files:
        name = uploads.clean_name(uploaded.name)
        if uploaded.size == 0:
            raise ValidationError(_("%(name)s is empty."), params={"name": name})
        if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
            raise ValidationError(_("%(name)s is too large."), params={"name": name})
        uploaded.seek(0)
        kind = uploads.sniff(uploaded.read(4096), name)
        uploaded.seek(0)
        if kind == "text" and not uploads.text_is_inert(uploaded):
            kind = None
        if kind is None:
            raise ValidationError(
                _("%(name)s is not an allowed type of file."), params={"name": name}
            )
        checked.append((uploaded, name, kind))

    stored = []
    try:
        with transaction.atomic():
            attachments = []
            for uploaded, name, kind in checked:
                stored_name, size, sha256 = uploads.store(uploaded)
                stored.append(stored_name)
                attachment = Attachment.objects.create(
                    case=case,
                    uploaded_by=uploader,
                    by_operator=uploader.is_staff,
                    name=name,
                    stored_name=stored_name,
                    size=size,
                    sha256=sha256,
                    kind=kind,
                    preview_state=previews.initial_state(kind),
                )
                previews.schedule(attachment)
                audit.record(
                    action=audit.Action.ATTACHMENT_ADDED,
                    actor=uploader,
                    subject=case,
                    name=name,
                    size=size,
                    sha256=sha256,
                )
                attachments.append(attachment)
            now = timezone.now()
            activity = {} if uploader.is_staff else {"last_customer_activity_at": now}
            Case.objects.filter(pk=case.pk).update(updated_at=now, **activity)
    except BaseException:
        uploads.remove(stored)  # a rolled-back row leaves no file behind
        raise
    return attachments


# Notices ---------------------------------------------------------------------------------


def _notify_post(case: Case, message: Message) -> None:
    if message.by_operator:
        _notify_company(case, "case_reply", {"message": message})
    else:
        _notify_operators(case, message)


def _notify_company(case: Case, template: str, context: dict) -> None:
    url = absolute_url(reverse("cases:detail", args=[case.number]))
    for recipient in case_recipients(case):
        queue_email(
            to=recipient.email,
            template=template,
            context={"name": recipient.full_name, "case": case, "url": url, **context},
            language=recipient.language,
            time_zone=recipient.zone,
        )


def _notify_operators(case: Case, message: Message) -> None:
    operators = (
        [case.assigned_to]
        if case.assigned_to is not None
        else User.objects.filter(is_staff=True, is_active=True)
    )
    url = absolute_url(reverse("admin:cases_case_change", args=[case.pk]))
    for operator in operators:
        queue_email(
            to=operator.email,
            template="case_customer_post",
            context={"name": operator.full_name, "case": case, "message": message, "url": url},
            language=operator.language,
            time_zone=operator.zone,
        )
