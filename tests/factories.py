"""One factory per model: plain functions that tests and fixtures call to make rows.

Factories go through the same model methods and services as the portal, so a test row is
always a row the portal could have made.
"""

import datetime as dt
import itertools
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, ServiceSubscription, User
from accounts.services import invitation_create
from cases.models import Attachment, Case, CaseStatus, Message
from cases.services import attachments_add, message_post
from catalog.models import ContractPlan, MainContent, Priority, Problem, Service
from companion.models import CompanionDevice
from hub.models import OutboundEmail
from tests.helpers import PASSWORD, RECOVERY_CODES

# --- people, companies, subscriptions, devices ---

_people_serial = itertools.count(1)


def create_company(name="Example株式会社", plan="mdr-lite", **fields):
    """A customer company on a contract plan (a ContractPlan, or its code)."""
    if not isinstance(plan, ContractPlan):
        plan = ContractPlan.objects.get(code=plan)
    return Company.objects.create(name=name, plan=plan, **fields)


def create_user(*, password=PASSWORD, **fields):
    """A user who can sign in with `password`; email and name are made up unless given."""
    n = next(_people_serial)
    fields.setdefault("email", f"user{n}@example.com")
    fields.setdefault("full_name", f"User {n}")
    return User.objects.create_user(password=password, **fields)


def subscribe(company, service_code, *, days_left=300, included=None, used=0, started=100):
    """A subscription of `company` to a service, `started` days ago and `days_left` to run."""
    today = dt.date.today()
    return ServiceSubscription.objects.create(
        company=company,
        service=Service.objects.get(code=service_code),
        valid_from=today - dt.timedelta(days=started),
        valid_to=today + dt.timedelta(days=days_left),
        sub_services_included=included,
        sub_services_used=used,
    )


def create_invitation(company, *, email=None, full_name="招待 太郎", language="en", **fields):
    """An invitation made the way an operator makes one (the service, so the email goes out)."""
    email = email or f"invitee{next(_people_serial)}@example.com"
    return invitation_create(
        email=email, full_name=full_name, company=company, language=language, **fields
    )


def create_totp_device(user, *, name="authenticator-app", confirmed=True, **fields):
    """A TOTP authenticator app of `user`; compute its codes with helpers.totp_code."""
    return TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed, **fields)


def create_recovery_codes(user, codes=RECOVERY_CODES):
    """The recovery codes (a django-otp static device) that confirming an authenticator makes."""
    static = StaticDevice.objects.create(user=user, name="recovery-codes", confirmed=True)
    for code in codes:
        static.token_set.create(token=code)
    return static


def with_authenticator(user) -> TOTPDevice:
    """Give `user` a confirmed authenticator app and recovery codes, as setup leaves them."""
    device = create_totp_device(user)
    create_recovery_codes(user)
    return device


def create_companion_device(user, *, key_id=None, confirmed=True, **fields) -> CompanionDevice:
    """A paired HUB Authenticator of `user`, without a key that signs (tests.phone.Phone pairs
    a real one) and without fallback codes."""
    fields.setdefault("name", "HUB Authenticator")
    fields.setdefault("public_key", "-")
    key_id = key_id or f"key{next(_people_serial)}"
    return CompanionDevice.objects.create(user=user, key_id=key_id, confirmed=confirmed, **fields)


def create_outbound_email(to, *, subject="件名", body_text="本文", language="ja", **fields):
    """A queued email, as hub.emails.queue_email leaves it before the sender claims it."""
    return OutboundEmail.objects.create(
        to=to, subject=subject, body_text=body_text, language=language, **fields
    )


# --- cases, messages, attachments ---

_case_serial = itertools.count(1)


def create_case(
    created_by,
    *,
    service=None,
    priority="normal",
    subscription=None,
    status=CaseStatus.NEW,
    moved_at=None,
    **fields,
) -> Case:
    """A case `created_by` filed for their company under `subscription` (default: one to the
    service of code `service`, premium support unless told, made if missing), numbered as the
    portal numbers it, then moved to `status` as an operator moves it, at `moved_at` (default
    now): a closed case is closed since then."""
    n = next(_case_serial)
    if subscription is None:
        code = service or "premium-support"
        subscription = ServiceSubscription.objects.filter(
            company_id=created_by.company_id, service__code=code
        ).first() or subscribe(created_by.company, code)
    if "main_content" not in fields:
        fields["main_content"] = MainContent.objects.get(code="malware")
    if "problem" not in fields:
        fields["problem"] = Problem.objects.get(
            main_content=fields["main_content"], code="virus-not-removed"
        )
    fields.setdefault("subject", f"ケース {n}")
    fields.setdefault("description", "説明")
    case = Case.objects.create(
        company_id=created_by.company_id,
        created_by=created_by,
        subscription=subscription,
        service=subscription.service,
        priority=Priority.objects.get(code=priority),
        **fields,
    )
    case.assign_number()
    if case.move_to(status, now=moved_at):
        case.save(update_fields=Case.STATUS_FIELDS)
    return case


def create_message(case, author, body="メッセージ", *, internal=False) -> Message:
    """A post in the case's Chatter through the portal's service: it moves the case and mails
    the other side as a real post does."""
    return message_post(
        case=case, author=author, body=body, post_id=uuid.uuid4(), internal=internal
    )


def create_attachment(case, uploader, *, name="log.txt", content=b"log\n") -> Attachment:
    """A file attached to the case through the portal's service (checked and stored)."""
    (attachment,) = attachments_add(
        case=case, uploader=uploader, files=[SimpleUploadedFile(name, content)]
    )
    return attachment


def create_case_of_schema(apps, customer, *, description="説明"):
    """A case row of an older schema (a migration test's `apps`), made through that schema's
    model: today's Case has columns the old table lacks."""
    malware = MainContent.objects.get(code="malware")
    subscription = subscribe(customer.company, "premium-support")
    return apps.get_model("cases", "Case").objects.create(
        company_id=customer.company_id,
        created_by_id=customer.pk,
        subscription_id=subscription.pk,
        service_id=subscription.service_id,
        subject="件名",
        main_content_id=malware.pk,
        problem_id=Problem.objects.get(main_content=malware, code="virus-not-removed").pk,
        priority_id=Priority.objects.get(code="normal").pk,
        description=description,
    )
