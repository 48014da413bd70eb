"""The demo world a trainer teaches in: two companies, contacts at each onboarding stage,
operators, and cases in every status and stage with threads and files in both languages.

Everything demo is marked `is_demo` (and lives under the reserved .example domain), so a reset
never touches real accounts. A reset runs in one transaction: the server is never seen half-seeded.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts import throttle
from accounts.models import (
    Company,
    Invitation,
    LoginThrottle,
    PasswordReset,
    ServiceSubscription,
    User,
)
from accounts.services import invitation_create
from cases import uploads
from cases.models import Attachment, Case, CaseStatus, Message
from cases.services import attachments_add
from catalog.models import (
    ContractPlan,
    MainContent,
    OperatingSystem,
    Priority,
    Problem,
    Product,
    Service,
    Stage,
)
from catalog.selectors import response_targets
from desk import replies
from desk.calendars import support_calendar
from desk.clock_history import replay
from desk.models import ResponseRecord
from desk.services import response_record
from hub.models import OutboundEmail
from trainer.classroom import demo_mail

DEMO_PASSWORD = "Demo-Passw0rd!"  # noqa: S105 - printed for the class, demo accounts only
# The two accounts `manage.py welcome` names for the class.
DEMO_OPERATOR = "support@eset.example"
DEMO_CUSTOMER = "yuki.sato@sample-shoji.example"
TRAINING_COMPANY = "研修用株式会社 (Training Co.)"
DEMO_COMPANIES = ["サンプル商事株式会社", "デモ工業株式会社"]


def demo_users():
    return User.objects.filter(is_demo=True)


def _throttle_keys(users: list[tuple[int, str]]) -> list[str]:
    """The sign-in throttle's rows of demo accounts, so a reset unlocks them and no other."""
    by_email = [throttle.account_key(kind, email) for _, email in users for kind in EMAIL_KINDS]
    by_id = [throttle.account_key(kind, str(pk)) for pk, _ in users for kind in USER_ID_KINDS]
    return [key.name for key in by_email + by_id]


EMAIL_KINDS = ("password", "reset")
USER_ID_KINDS = ("code", "phrase")


def _real_addresses(company) -> list[str]:
    members = company.users.filter(is_demo=False).values_list("email", flat=True)
    invited = company.invitations.filter(is_demo=False, user__isnull=True)
    return [*members, *invited.values_list("email", flat=True)]


def clear() -> list[str]:
    """Remove every demo object (and its files); the catalogue and real accounts stay.

    Demo means marked so by this module (`is_demo` on users, invitations and companies), never
    a name or a domain. A demo company that holds a real account, a real invitation or a case a
    real account filed is left in place with those; a demo account that wrote in a case that
    stays keeps its account so that thread stays whole. Returns one line per thing left, and why.
    Every set is read before anything is deleted.
    """
    users = list(User.objects.filter(is_demo=True).values_list("pk", "email"))
    user_ids = [pk for pk, _ in users]
    company_ids = list(Company.objects.filter(is_demo=True).values_list("pk", flat=True))
    case_ids = list(
        Case.objects.filter(company__in=company_ids, created_by__in=user_ids).values_list(
            "pk", flat=True
        )
    )
    kept_cases = Case.objects.exclude(pk__in=case_ids)
    kept_user_ids = (
        set(
            Message.objects.filter(case__in=kept_cases, author__in=user_ids).values_list(
                "author", flat=True
            )
        )
        | set(
            Attachment.objects.filter(case__in=kept_cases, uploaded_by__in=user_ids).values_list(
                "uploaded_by", flat=True
            )
        )
        | set(kept_cases.filter(created_by__in=user_ids).values_list("created_by", flat=True))
    )
    kept_company_ids = (
        set(
            User.objects.filter(company__in=company_ids, is_demo=False).values_list(
                "company", flat=True
            )
        )
        | set(
            Invitation.objects.filter(
                company__in=company_ids, is_demo=False, user__isnull=True
            ).values_list("company", flat=True)
        )
        | set(kept_cases.filter(company__in=company_ids).values_list("company", flat=True))
    )
    mail_ids = list(demo_mail().values_list("pk", flat=True))
    left = [
        f"{company.name}: kept with its real accounts and invitations "
        f"({', '.join(_real_addresses(company))}) and their cases"
        for company in Company.objects.filter(pk__in=kept_company_ids)
    ] + [
        f"{email}: kept, it wrote in a case that is not demo"
        for pk, email in users
        if pk in kept_user_ids
    ]

    stored = list(
        Attachment.objects.filter(case__in=case_ids).values_list("stored_name", flat=True)
    )
    Attachment.objects.filter(case__in=case_ids).delete()
    Message.objects.filter(case__in=case_ids).delete()
    Case.objects.filter(follows__in=case_ids).update(follows=None)
    Case.objects.filter(pk__in=case_ids).delete()
    Invitation.objects.filter(is_demo=True).delete()
    PasswordReset.objects.filter(user__in=user_ids).delete()
    TOTPDevice.objects.filter(user__in=user_ids).delete()
    StaticDevice.objects.filter(user__in=user_ids).delete()
    OutboundEmail.objects.filter(pk__in=mail_ids).delete()
    LoginThrottle.objects.filter(key__in=_throttle_keys(users)).delete()
    User.objects.filter(pk__in=set(user_ids) - kept_user_ids).delete()
    removed_companies = set(company_ids) - kept_company_ids
    ServiceSubscription.objects.filter(company__in=removed_companies).delete()
    Company.objects.filter(pk__in=removed_companies).delete()
    transaction.on_commit(lambda: uploads.remove(stored))
    return left


def reset() -> dict:
    """Clear and seed again; returns the trainer's entry points and what was left, and why."""
    with transaction.atomic():
        left = clear()
        audit.record(action=audit.Action.TRAINER_RESET)
        replies.load_examples()  # the desk's example saved replies, when it has none
        return _seed() | {"left": left}


def _seed() -> dict:
    today = timezone.localdate()
    password = make_password(DEMO_PASSWORD)

    def user(email, name, *, company=None, language="ja", staff=False, two_factor=True):
        # A demo operator kept by the last reset (see clear) is set up afresh, not duplicated.
        person, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": name,
                "company": company,
                "language": language,
                "is_staff": staff,
                "is_superuser": staff,
                "is_active": True,
                "is_demo": True,
                "password": password,
                "terms_version": settings.TERMS_VERSION if company else "",
                "terms_accepted_at": timezone.now() if company else None,
            },
        )
        if two_factor:
            TOTPDevice.objects.create(user=person, name="authenticator-app", confirmed=True)
        return person

    def subscribe(company, code, *, days_left, included=None, used=0, started=200):
        return ServiceSubscription.objects.create(
            company=company,
            service=Service.objects.get(code=code),
            valid_from=today - dt.timedelta(days=started),
            valid_to=today + dt.timedelta(days=days_left),
            sub_services_included=included,
            sub_services_used=used,
        )

    lite = Company.objects.create(
        name=DEMO_COMPANIES[0], plan=ContractPlan.objects.get(code="mdr-lite"), is_demo=True
    )
    ultimate = Company.objects.create(
        name=DEMO_COMPANIES[1], plan=ContractPlan.objects.get(code="mdr-ultimate"), is_demo=True
    )
    lite_support = subscribe(lite, "premium-support", days_left=180)
    subscribe(lite, "mdr", days_left=20, included=10, used=3)  # expires soon
    ultimate_support = subscribe(ultimate, "premium-support-ultimate", days_left=300)
    subscribe(ultimate, "mdr-ultimate", days_left=200, included=5, used=5)  # used up
    health = subscribe(ultimate, "healthcheck", days_left=150, included=2, used=1)
    subscribe(ultimate, "deployment-upgrade", days_left=-10, started=400)  # expired

    operator = user(DEMO_OPERATOR, "ESET サポート 鈴木", staff=True)
    user("support-en@eset.example", "ESET Support Anna", staff=True, language="en")
    yuki = user(DEMO_CUSTOMER, "佐藤 由紀", company=lite)
    john = user("john.smith@sample-shoji.example", "John Smith", company=lite, language="en")
    user("ken.tanaka@sample-shoji.example", "田中 健", company=lite, two_factor=False)
    misaki = user("misaki.takahashi@demo-kogyo.example", "高橋 美咲", company=ultimate)
    invitation_create(
        email="hanako.yamada@sample-shoji.example",
        full_name="山田 花子",
        company=lite,
        language="ja",
        invited_by=operator,
        is_demo=True,
    )

    endpoint = Product.objects.get(code="eset-endpoint-security")
    malware = MainContent.objects.get(code="malware")
    normal, serious = Priority.objects.get(code="normal"), Priority.objects.get(code="serious")

    calendar, now = support_calendar(), timezone.now()

    def case(
        company,
        creator,
        subscription,
        subject,
        status,
        *,
        thread=(),
        stage=None,
        priority=normal,
        filed_ago=dt.timedelta(hours=1),
    ):
        """A case filed `filed_ago` as new, its `thread` of (author, body) posted in order
        since, then left in `status`: the status bar shows the history its thread tells, the
        queue the response clock it ran (desk.clock_history)."""
        made = Case.objects.create(
            company=company,
            created_by=creator,
            subscription=subscription,
            service=subscription.service,
            subject=subject,
            product=endpoint,
            product_version=endpoint.versions.get(version="11.0"),
            operating_system=OperatingSystem.objects.get(code="windows-11"),
            main_content=malware,
            problem=Problem.objects.get(main_content=malware, code="virus-not-removed"),
            priority=priority,
            description=subject,
            stage=stage,
        )
        made.assign_number()
        filed_at = now - filed_ago
        times = [filed_at + filed_ago * n / (len(thread) + 1) for n in range(1, len(thread) + 1)]
        posts = []
        for (author, body), at in zip(thread, times, strict=True):
            # Each post moves the case as a post in the portal does, but mails nobody.
            message = Message.objects.create_post(case=made, author=author, body=body)
            Message.objects.filter(pk=message.pk).update(created_at=at)
            posts.append((at, author.is_staff))
            made.move_for_public_post(by_operator=author.is_staff)
        # The rest as an operator would have set it: move_to stamps when (and closed_at).
        made.move_to(status)
        replayed = replay(
            calendar=calendar,
            targets=response_targets(made.service, made.priority),
            filed_at=filed_at,
            posts=posts,
            status=status,
            status_changed_at=made.status_changed_at,
        )
        for name, value in replayed.fields().items():
            setattr(made, name, value)
        made.save(update_fields=Case.STATUS_FIELDS + Case.CLOCK_FIELDS)
        Case.objects.filter(pk=made.pk).update(created_at=filed_at)
        ResponseRecord.objects.bulk_create(
            response_record(case=made, answer=answer, responded_at=at, responder_id=operator.pk)
            for answer, at, _index in replayed.answers
        )
        return made

    def attach(on, author, name, content):
        # Checked and stored like any upload.
        attachments_add(case=on, uploader=author, files=[ContentFile(content, name=name)])

    # Filed ten days ago and not answered yet: overdue on the queue (even over Golden Week).
    case(
        lite,
        yuki,
        lite_support,
        "駆除できないウイルスがあります",
        CaseStatus.NEW,
        filed_ago=dt.timedelta(days=10),
    )
    second = case(
        lite,
        yuki,
        lite_support,
        "検出後も警告が繰り返し表示される",
        CaseStatus.WAITING_FOR_ESET,
        thread=[(yuki, "検出後も同じ警告が表示されます。ログを添付します。")],
        filed_ago=dt.timedelta(hours=3),
    )
    attach(second, yuki, "eset-log-collector.txt", b"ESET Log Collector\nscan log ...\n")
    third = case(
        lite,
        john,
        lite_support,
        "Scheduled scan does not start",
        CaseStatus.WAITING_FOR_CUSTOMER,
        thread=[
            (john, "The scheduled scan has not run since Monday."),
            (operator, "Thank you. Please send the scheduler settings as a screenshot."),
        ],
        priority=serious,
        filed_ago=dt.timedelta(days=2),
    )
    attach(third, operator, "scheduler-guide.pdf", b"%PDF-1.7\n% demo guide\n")
    case(
        lite,
        yuki,
        lite_support,
        "ライセンス数の確認",
        CaseStatus.RESOLVED,
        thread=[(operator, "ライセンス数は 50 台です。ご確認ください。")],
        filed_ago=dt.timedelta(days=10),
    )
    case(lite, john, lite_support, "Duplicate request", CaseStatus.INVALID)
    staged = Stage.objects.get(service__code="healthcheck", code="service-plan")
    case(
        ultimate,
        misaki,
        health,
        "HealthCheck の実施について",
        CaseStatus.WAITING_FOR_CUSTOMER,
        thread=[(operator, "サービスプランを添付しました。日程をご確認ください。")],
        stage=staged,
        filed_ago=dt.timedelta(days=1),
    )
    # An eight-hour target, filed six hours ago: due soon (or already, after hours).
    case(
        ultimate,
        misaki,
        ultimate_support,
        "ポリシー設定の相談",
        CaseStatus.WAITING_FOR_ESET,
        filed_ago=dt.timedelta(hours=6),
    )

    fresh = invitation_create(
        email="trainee@sample-shoji.example",
        full_name="研修 太郎",
        company=lite,
        language="ja",
        invited_by=operator,
        is_demo=True,
    )
    return {"invitation_url": fresh.link, "operator": operator.email, "password": DEMO_PASSWORD}


def trainees(count: int) -> list[dict]:
    """One invitation per trainee, each in a training company of their own, so that no trainee
    sees another's cases (colleagues would)."""
    with transaction.atomic():
        today = timezone.localdate()
        taken = set(User.objects.values_list("email", flat=True)) | set(
            Invitation.objects.values_list("email", flat=True)
        )
        rows, n = [], 0
        while len(rows) < count:
            n += 1
            email = f"trainee{n:02d}@training.example"
            if email in taken:
                continue
            company = Company.objects.create(
                name=f"{TRAINING_COMPANY} {n:02d}",
                plan=ContractPlan.objects.get(code="mdr-lite"),
                is_demo=True,
            )
            for code in ("premium-support", "mdr"):
                ServiceSubscription.objects.create(
                    company=company,
                    service=Service.objects.get(code=code),
                    valid_from=today - dt.timedelta(days=30),
                    valid_to=today + dt.timedelta(days=335),
                )
            name = f"研修生 {n:02d}"
            invitation = invitation_create(
                email=email, full_name=name, company=company, language="ja", is_demo=True
            )
            rows.append({"name": name, "email": email, "url": invitation.link})
        return rows
