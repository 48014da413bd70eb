"""Chapter 3 of the guide: following a case — list, case page, Chatter, attachments, operators."""

import datetime as dt
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Attachment, Case, CaseStatus, Message
from cases.services import message_post
from catalog.models import MainContent, Priority, Problem, Service, Stage
from hub.models import OutboundEmail
from tests.conftest import log_in, subscribe

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def make_case(company):
    subscription = subscribe(company, "premium-support")
    counter = iter(range(1, 100_000))

    def make(created_by, *, service="premium-support", status=CaseStatus.NEW, **fields):
        n = next(counter)
        service_obj = Service.objects.get(code=service)
        case = Case.objects.create(
            company=created_by.company,
            created_by=created_by,
            subscription=subscription
            if created_by.company_id == company.pk
            else subscribe(created_by.company, created_by.company.plan.services.first().code),
            service=service_obj,
            subject=fields.pop("subject", f"ケース {n}"),
            main_content=MainContent.objects.get(code="malware"),
            problem=Problem.objects.get(code="virus-not-removed"),
            priority=Priority.objects.get(code=fields.pop("priority", "normal")),
            description="説明",
            status=status,
            **fields,
        )
        case.number = f"{1000 + case.pk:08d}"
        case.save()
        return case

    return make


def detail(case, **query):
    url = reverse("cases:detail", args=[case.number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post(client, case, body, *, confirm=True, post_id=None):
    data = {"body": body, "post_id": str(post_id or uuid.uuid4())}
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("cases:chatter_post", args=[case.number]), data)


# -- the list ----------------------------------------------------------------------------


def test_it_lists_the_companys_cases_including_colleagues_and_nobody_elses(
    customer_client, customer, colleague, other_company_customer, make_case
):
    mine = make_case(customer, subject="私のケース")
    theirs = make_case(colleague, subject="同僚のケース")
    foreign = make_case(other_company_customer, subject="他社のケース")
    content = customer_client.get("/").content.decode()
    assert mine.number in content and theirs.number in content
    assert foreign.number not in content and "他社のケース" not in content
    mine_only = customer_client.get("/?mine=1").content.decode()
    assert mine.number in mine_only and theirs.number not in mine_only


def test_it_filters_searches_sorts_and_pages(customer_client, customer, make_case):
    waiting = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER, subject="回答待ち")
    closed = make_case(customer, status=CaseStatus.RESOLVED, subject="解決済み")
    urgent = make_case(customer, priority="critical", subject="重大な件")
    page = customer_client.get("/?state=open")
    numbers = [c.number for c in page.context["page"]]
    assert closed.number not in numbers and waiting.number in numbers
    assert [c.number for c in customer_client.get("/?state=closed").context["page"]] == [
        closed.number
    ]
    assert [c.number for c in customer_client.get("/?q=重大").context["page"]] == [urgent.number]
    assert [c.number for c in customer_client.get(f"/?q={waiting.number}").context["page"]] == [
        waiting.number
    ]
    critical = Priority.objects.get(code="critical").pk
    assert [c.number for c in customer_client.get(f"/?priority={critical}").context["page"]] == [
        urgent.number
    ]
    ordered = [c.number for c in customer_client.get("/?sort=number").context["page"]]
    assert ordered == sorted(ordered)
    content = customer_client.get("/").content.decode()
    assert 'class="hub-row-waiting" data-status="waiting_customer"' in content
    for _ in range(30):
        make_case(customer)
    assert len(customer_client.get("/").context["page"]) == 25
    assert len(customer_client.get("/?page=2").context["page"]) == 8


@pytest.mark.parametrize(
    "query",
    ["sort=password", "sort=company__users__password", "page=abc", "state=evil", "service=x"],
)
def test_it_never_takes_a_sort_or_filter_key_from_the_request(
    customer_client, customer, make_case, query
):
    make_case(customer)
    response = customer_client.get(f"/?{query}")
    assert response.status_code == 200
    assert "pbkdf2" not in response.content.decode() and "md5$" not in response.content.decode()


def test_it_lists_cases_in_a_fixed_number_of_queries(customer_client, customer, make_case):
    make_case(customer)
    with CaptureQueriesContext(connection) as one:
        customer_client.get("/")
    for _ in range(20):
        make_case(customer)
    with CaptureQueriesContext(connection) as many:
        customer_client.get("/")
    assert len(one) == len(many)


# -- the case page -------------------------------------------------------------------------


def test_it_shows_the_status_progress_and_stages(customer_client, customer, make_case, company):
    subscribe(company, "premium-support")
    case = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    page = customer_client.get(detail(case))
    steps = case.status_steps()
    assert [s["state"] for s in steps] == ["done", "done", "current", "todo", "todo"]
    assert 'aria-current="step">お客さまの回答待ち' in page.content.decode()
    invalid = make_case(customer, status=CaseStatus.INVALID)
    assert [s["state"] for s in invalid.status_steps()] == [
        "done",
        "done",
        "done",
        "todo",
        "current",
    ]


def test_it_shows_the_stage_bar_for_staged_services(customer_client, customer, make_case):
    case = make_case(customer, service="healthcheck")
    case.stage = Stage.objects.get(service__code="healthcheck", code="service-plan")
    case.save()
    content = customer_client.get(detail(case)).content.decode()
    assert 'data-testid="stage-steps"' in content
    assert 'hub-step hub-step-done">アセスメントフォーム' in content
    plain = make_case(customer)
    assert 'data-testid="stage-steps"' not in customer_client.get(detail(plain)).content.decode()


# -- Chatter -------------------------------------------------------------------------------


def test_it_confirms_before_sharing_and_moves_the_case_to_waiting_for_eset(
    customer_client, customer, make_case, operator, mailoutbox
):
    case = make_case(customer)
    confirm = post(
        customer_client, case, "ログを確認してください\nhttps://example.com/x", confirm=False
    )
    assert confirm.status_code == 200
    assert "共有しますか" in confirm.content.decode()
    assert not Message.objects.exists()
    response = post(customer_client, case, "ログを確認してください\nhttps://example.com/x")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_ESET
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "ログを確認してください<br>" in page
    assert '<a href="https://example.com/x" rel="nofollow">' in page
    (notice,) = mailoutbox
    assert notice.to == [operator.email]
    assert case.number in notice.subject


def test_it_keeps_chatter_text_inert(customer_client, customer, make_case):
    case = make_case(customer)
    payload = "<script>alert(1)</script> <img src=x onerror=alert(2)> javascript:alert(3)"
    post(customer_client, case, payload)
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert 'href="javascript:' not in page


def test_it_makes_one_message_from_a_double_submit(customer_client, customer, make_case):
    case = make_case(customer)
    post_id = uuid.uuid4()
    post(customer_client, case, "一度だけ", post_id=post_id)
    post(customer_client, case, "一度だけ", post_id=post_id)
    assert Message.objects.count() == 1


@pytest.mark.parametrize("body", ["", "   ", "x" * 20_001, "nul\x00byte"])
def test_it_refuses_an_empty_or_bad_post(customer_client, customer, make_case, body):
    case = make_case(customer)
    response = post(customer_client, case, body)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_polls_for_new_messages_and_hides_internal_notes(
    customer_client, customer, make_case, operator
):
    case = make_case(customer)
    first = message_post(case=case, author=customer, body="最初", post_id=uuid.uuid4())
    message_post(case=case, author=operator, body="社内メモ", post_id=uuid.uuid4(), internal=True)
    message_post(case=case, author=operator, body="ご回答です", post_id=uuid.uuid4())
    url = reverse("cases:chatter_updates", args=[case.number]) + f"?after={first.pk}"
    content = customer_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "ご回答です" in content and "社内メモ" not in content and "最初" not in content
    assert 'id="case-status"' in content and "hx-swap-oob" in content
    assert "お客さまの回答待ち" in content


def test_it_loads_a_long_thread_in_pages(customer_client, customer, make_case):
    case = make_case(customer)
    Message.objects.bulk_create(
        Message(case=case, author=customer, body=f"message {n}", post_id=uuid.uuid4())
        for n in range(75)
    )
    page = customer_client.get(detail(case, tab="chatter"))
    assert len(page.context["thread"]) == 30 and page.context["has_older"]
    assert page.context["thread"][-1].body == "message 74"
    older = customer_client.get(
        reverse("cases:chatter_older", args=[case.number]) + f"?before={page.context['oldest_id']}"
    )
    assert "message 44" in older.content.decode() and "message 45" not in older.content.decode()


def test_it_reopens_a_recently_closed_case_and_offers_a_new_case_later(
    customer_client, customer, make_case
):
    recent = make_case(customer, status=CaseStatus.RESOLVED, closed_at=timezone.now())
    post(customer_client, recent, "まだ発生します")
    recent.refresh_from_db()
    assert recent.status == CaseStatus.WAITING_FOR_ESET and recent.closed_at is None

    old = make_case(
        customer,
        status=CaseStatus.RESOLVED,
        closed_at=timezone.now() - dt.timedelta(days=15),
    )
    response = post(customer_client, old, "まだ発生します")
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == CaseStatus.RESOLVED
    assert not old.messages.exists()
    page = customer_client.get(detail(old)).content.decode()
    assert reverse("cases:follow_up", args=[old.number]) in page
    follow = customer_client.get(reverse("cases:follow_up", args=[old.number]))
    assert f"follows={old.number}" in follow.url


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_message_of_sixteen_concurrent_posters_in_order(customer, make_case):
    case = make_case(customer)
    barrier = threading.Barrier(16)

    def poster(n):
        barrier.wait()
        for i in range(50):
            message_post(case=case, author=customer, body=f"{n}:{i}", post_id=uuid.uuid4())
        connection.close()

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bodies = list(case.messages.order_by("id").values_list("body", flat=True))
    assert len(bodies) == 800
    for n in range(16):
        mine = [b for b in bodies if b.startswith(f"{n}:")]
        assert mine == [f"{n}:{i}" for i in range(50)]


def test_it_keeps_the_post_when_the_mail_server_is_down(
    customer_client, customer, make_case, operator, settings
):
    settings.EMAIL_BACKEND = "tests.test_emails.BrokenBackend"
    case = make_case(customer)
    assert post(customer_client, case, "メールが届かなくても").status_code == 302
    assert Message.objects.get().body == "メールが届かなくても"
    assert OutboundEmail.objects.get().sent_at is None


# -- attachments -----------------------------------------------------------------------------


def upload(client, case, *files):
    return client.post(
        reverse("cases:attachments_upload", args=[case.number]), {"files": list(files)}
    )


def test_it_attaches_and_downloads_a_file_safely(customer_client, customer, make_case, colleague):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("画面.png", PNG, "image/png"))
    attachment = Attachment.objects.get()
    assert attachment.size == len(PNG) and len(attachment.sha256) == 64
    assert attachment.name == "画面.png" and attachment.stored_name != "画面.png"
    page = customer_client.get(detail(case, tab="attachments")).content.decode()
    assert attachment.sha256 in page and "画面.png" in page
    url = reverse("cases:attachment_download", args=[case.number, attachment.pk])
    response = customer_client.get(url)
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%94%BB%E9%9D%A2.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Security-Policy"].startswith("sandbox")
    other = Client()
    log_in(other, colleague)
    assert other.get(url).status_code == 200, "colleagues see the company's files"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
        ("fake.png", b"<html><body>not a png</body></html>"),
        ("notes.txt", b"<script>alert(1)</script>"),
        ("empty.txt", b""),
        ("tool.exe", b"MZ\x90\x00"),
        ("binary.txt", b"\x00\x01\x02"),
    ],
)
def test_it_refuses_files_outside_the_allow_list_and_stores_nothing(
    customer_client, customer, make_case, settings, name, content
):
    case = make_case(customer)
    response = upload(customer_client, case, SimpleUploadedFile(name, content))
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    stored = settings.UPLOAD_ROOT / "attachments"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_it_accepts_a_png_html_polyglot_but_only_ever_as_a_download(
    customer_client, customer, make_case
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("poly.png", PNG + b"<script>x</script>"))
    attachment = Attachment.objects.get()
    url = reverse("cases:attachment_download", args=[case.number, attachment.pk])
    response = customer_client.get(url)
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\evil\\log.txt", "log.txt"),
        ("x" * 300 + ".txt", "x" * 196 + ".txt"),
        ("CON.txt", "CON.txt"),
        ("invoice\u202etxt.exe.txt", "invoicetxt.exe.txt"),
    ],
)
def test_it_cleans_file_names(customer_client, customer, make_case, raw, clean):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile(raw, b"plain text log\n"))
    attachment = Attachment.objects.get()
    assert attachment.name == clean
    response = customer_client.get(
        reverse("cases:attachment_download", args=[case.number, attachment.pk])
    )
    assert (
        "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]
    )


def test_it_strips_line_breaks_from_file_names():
    from cases.uploads import clean_name

    assert clean_name("a\r\nSet-Cookie: x.txt") == "a__Set-Cookie_ x.txt"


def test_it_enforces_the_size_and_count_limits(customer_client, customer, make_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    settings.ATTACHMENT_MAX_FILES = 3
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("exact.txt", b"a" * 100))
    assert Attachment.objects.count() == 1
    response = upload(customer_client, case, SimpleUploadedFile("over.txt", b"a" * 101))
    assert Attachment.objects.count() == 1
    page = customer_client.get(response.url).content.decode()
    assert "over.txt" in page
    files = [SimpleUploadedFile(f"{n}.txt", b"log\n") for n in range(4)]
    upload(customer_client, case, *files)
    assert Attachment.objects.count() == 1
    files = [SimpleUploadedFile("dup.txt", b"log\n"), SimpleUploadedFile("dup.txt", b"log\n")]
    upload(customer_client, case, *files)
    assert Attachment.objects.filter(name="dup.txt").count() == 2


def test_it_keeps_no_file_when_the_database_write_fails(customer, make_case, settings, monkeypatch):
    from cases import services

    case = make_case(customer)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.Attachment.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.attachments_add(
            case=case, uploader=customer, files=[SimpleUploadedFile("a.txt", b"log\n")]
        )
    stored = settings.UPLOAD_ROOT / "attachments"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


# -- access ----------------------------------------------------------------------------------


@pytest.fixture
def matrix(customer, colleague, other_company_customer, operator, make_case):
    case = make_case(customer)
    message_post(case=case, author=customer, body="本文", post_id=uuid.uuid4())
    from cases.services import attachments_add

    (attachment,) = attachments_add(
        case=case, uploader=customer, files=[SimpleUploadedFile("a.txt", b"log\n")]
    )
    return case, attachment


def _clients(customer, colleague, other_company_customer, operator):
    def signed_in(user):
        c = Client()
        log_in(c, user)
        return c

    half = Client()
    half.post(
        reverse("accounts:login"), {"email": colleague.email, "password": "Correct-Horse-9-Battery"}
    )
    return {
        "customer": signed_in(customer),
        "colleague": signed_in(colleague),
        "other company": signed_in(other_company_customer),
        "anonymous": Client(),
        "half-logged-in": half,
        "operator": signed_in(operator),
    }


def test_it_answers_the_access_matrix(
    matrix, customer, colleague, other_company_customer, operator
):
    case, attachment = matrix
    clients = _clients(customer, colleague, other_company_customer, operator)
    urls = {
        "list": ("get", "/"),
        "case page": ("get", detail(case)),
        "post": ("post", reverse("cases:chatter_post", args=[case.number])),
        "upload": ("post", reverse("cases:attachments_upload", args=[case.number])),
        "download": (
            "get",
            reverse("cases:attachment_download", args=[case.number, attachment.pk]),
        ),
        "admin": ("get", reverse("admin:cases_case_change", args=[case.pk])),
        "admin download": (
            "get",
            reverse("admin:cases_attachment_download", args=[attachment.pk]),
        ),
    }
    expected = {
        "customer": {
            "list": 200,
            "case page": 200,
            "post": 400,
            "upload": 302,
            "download": 200,
            "admin": 403,
            "admin download": 403,
        },
        "colleague": {
            "list": 200,
            "case page": 200,
            "post": 400,
            "upload": 302,
            "download": 200,
            "admin": 403,
            "admin download": 403,
        },
        "other company": {
            "list": 200,
            "case page": 404,
            "post": 404,
            "upload": 404,
            "download": 404,
            "admin": 403,
            "admin download": 403,
        },
        "anonymous": dict.fromkeys(urls, 302),
        "half-logged-in": dict.fromkeys(urls, 302),
        "operator": {
            "list": 403,
            "case page": 403,
            "post": 403,
            "upload": 403,
            "download": 403,
            "admin": 200,
            "admin download": 200,
        },
    }
    seen = {}
    for who, client in clients.items():
        for what, (method, url) in urls.items():
            response = getattr(client, method)(url, follow=False)
            if (
                response.status_code == 302
                and who in ("customer", "colleague", "other company")
                and what.startswith("admin")
            ):
                response = client.get(response.url)
            seen[(who, what)] = response.status_code
    wrong = {k: v for k, v in seen.items() if v != expected[k[0]][k[1]]}
    assert wrong == {}
    assert Message.objects.count() == 1, "no post went through"


# -- operators ---------------------------------------------------------------------------


def test_it_lets_an_operator_reply_change_status_and_stage_with_email(
    operator_client, operator, customer, colleague, make_case, make_user, company, mailoutbox
):
    quiet = make_user(company=company, notify_own_cases_only=True)
    colleague.language = "en"
    colleague.save()
    case = make_case(customer, service="healthcheck", status=CaseStatus.WAITING_FOR_ESET)
    reply = reverse("admin:cases_case_reply", args=[case.pk])
    response = operator_client.post(reply, {"body": "ご確認ください", "post_id": str(uuid.uuid4())})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_CUSTOMER
    recipients = {m.to[0]: m for m in mailoutbox}
    assert set(recipients) == {customer.email, colleague.email}
    assert quiet.email not in recipients
    assert "ESET support replied" in recipients[colleague.email].subject
    assert "ESETサポート" in recipients[customer.email].subject

    mailoutbox.clear()
    stage = Stage.objects.get(service__code="healthcheck", code="delivery")
    change = reverse("admin:cases_case_change", args=[case.pk])
    response = operator_client.post(
        change, {"status": "resolved", "stage": stage.pk, "assigned_to": operator.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.stage, case.assigned_to) == ("resolved", stage, operator)
    assert case.closed_at is not None
    subjects = sorted(m.subject for m in mailoutbox if m.to == [colleague.email])
    assert any("Closed" in s for s in subjects) and any("New stage" in s for s in subjects)


def test_it_keeps_internal_notes_from_customers_and_their_status(
    operator_client, customer, customer_client, make_case, mailoutbox
):
    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    operator_client.post(
        reverse("admin:cases_case_reply", args=[case.pk]),
        {"body": "内部メモ", "post_id": str(uuid.uuid4()), "internal": "on"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_ESET
    assert mailoutbox == []
    assert "内部メモ" not in customer_client.get(detail(case, tab="chatter")).content.decode()


def test_it_puts_the_oldest_case_waiting_for_eset_first(operator_client, customer, make_case):
    newer = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    older = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    Case.objects.filter(pk=older.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=2))
    make_case(customer, status=CaseStatus.NEW)
    changelist = operator_client.get(reverse("admin:cases_case_changelist"))
    listed = [c.pk for c in changelist.context["cl"].result_list]
    assert listed[:2] == [older.pk, newer.pk]
    waiting = operator_client.get(reverse("admin:cases_case_changelist") + "?waiting=yes")
    assert {c.pk for c in waiting.context["cl"].result_list} == {older.pk, newer.pk}


def test_it_renders_the_admin_case_page_in_a_fixed_number_of_queries(
    operator_client, customer, operator, make_case
):
    case = make_case(customer)
    url = reverse("admin:cases_case_change", args=[case.pk])
    message_post(case=case, author=customer, body="1", post_id=uuid.uuid4())
    with CaptureQueriesContext(connection) as one:
        assert operator_client.get(url).status_code == 200
    Message.objects.bulk_create(
        Message(case=case, author=a, body="x", post_id=uuid.uuid4(), by_operator=a.is_staff)
        for a in [customer, operator] * 50
    )
    with CaptureQueriesContext(connection) as many:
        operator_client.get(url)
    assert len(one) == len(many)


def test_it_renders_the_customer_case_page_in_a_fixed_number_of_queries(
    customer_client, customer, operator, make_case
):
    case = make_case(customer)
    message_post(case=case, author=customer, body="1", post_id=uuid.uuid4())
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            customer_client.get(detail(case, tab="chatter"))
            customer_client.get(detail(case, tab="attachments"))
        counts.append(len(queries))
        Message.objects.bulk_create(
            Message(case=case, author=a, body="x", post_id=uuid.uuid4(), by_operator=a.is_staff)
            for a in [customer, operator] * 100
        )
    assert counts[0] == counts[1]


def test_it_lets_operators_attach_and_download_through_the_admin(
    operator_client, customer, make_case
):
    case = make_case(customer)
    operator_client.post(
        reverse("admin:cases_case_upload", args=[case.pk]),
        {"files": [SimpleUploadedFile("report.pdf", b"%PDF-1.7\n...")]},
    )
    attachment = Attachment.objects.get()
    assert attachment.by_operator
    response = operator_client.get(reverse("admin:cases_attachment_download", args=[attachment.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_it_shows_user_text_as_text_in_the_admin(operator_client, customer, make_case):
    payload = "<script>alert(1)</script>"
    case = make_case(customer, subject=payload)
    message_post(case=case, author=customer, body=payload, post_id=uuid.uuid4())
    for url in (
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[case.pk]),
    ):
        content = operator_client.get(url).content.decode()
        assert payload not in content and "&lt;script&gt;" in content


def test_it_sweeps_upload_leftovers_but_keeps_attached_files(
    customer_client, customer, make_case, settings
):
    import os

    from django.core.management import call_command

    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("keep.txt", b"log\n"))
    kept = Attachment.objects.get()
    folder = settings.UPLOAD_ROOT / "attachments" / "ab"
    folder.mkdir(parents=True, exist_ok=True)
    orphan = folder / ("ab" + "0" * 30)
    partial = folder / ("ab" + "1" * 30 + ".part")
    for leftover in (orphan, partial):
        leftover.write_bytes(b"x")
        os.utime(leftover, (0, 0))
    from cases.uploads import path_of

    os.utime(path_of(kept.stored_name), (0, 0))
    call_command("cleanup_uploads", verbosity=0)
    assert not orphan.exists() and not partial.exists()
    assert path_of(kept.stored_name).exists()


def test_it_refuses_a_post_without_a_csrf_token(customer, make_case):
    case = make_case(customer)
    strict = Client(enforce_csrf_checks=True)
    log_in_strict = Client()
    log_in(log_in_strict, customer)
    strict.cookies = log_in_strict.cookies
    response = strict.post(
        reverse("cases:chatter_post", args=[case.number]),
        {"body": "CSRFなし", "post_id": str(uuid.uuid4()), "confirm": "yes"},
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_it_changes_nothing_on_get_requests(customer_client, customer, make_case):
    case = make_case(customer)
    for name in ("cases:chatter_post", "cases:attachments_upload"):
        assert customer_client.get(reverse(name, args=[case.number])).status_code == 405
    assert not Message.objects.exists()


@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1", "1e3"])
def test_it_answers_odd_ids_in_chatter_urls_without_error(
    customer_client, customer, make_case, value
):
    case = make_case(customer)
    for url in (
        reverse("cases:chatter_updates", args=[case.number]) + f"?after={value}",
        reverse("cases:chatter_older", args=[case.number]) + f"?before={value}",
        detail(case, tab="chatter", before=value),
    ):
        assert customer_client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("pad.txt", b"a" * 5000 + b"<html><script>alert(1)</script>"),
        ("x.xml", b'<x:html xmlns:x="http://www.w3.org/1999/xhtml"><x:script>1</x:script>'),
    ],
)
def test_it_looks_for_markup_in_the_whole_text_file(
    customer_client, customer, make_case, name, content
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile(name, content))
    assert not Attachment.objects.exists()


def test_it_shows_the_subject_as_typed_in_email_subjects(
    customer_client, customer, make_case, operator, mailoutbox
):
    case = make_case(customer, subject='<b>Tom & Jerry\'s "x"')
    post(customer_client, case, "確認してください")
    assert mailoutbox[0].subject.endswith('<b>Tom & Jerry\'s "x"')


def test_it_answers_a_locked_database_with_try_again_and_the_text_kept(
    customer_client, customer, make_case, monkeypatch
):
    from django.db import OperationalError

    from cases import views

    case = make_case(customer)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "message_post", locked)
    response = post(customer_client, case, "<b>大事な報告</b>\n二行目")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    content = response.content.decode()
    assert "&lt;b&gt;大事な報告&lt;/b&gt;" in content and "<b>大事な報告" not in content
    assert not Message.objects.exists()


def test_it_reports_a_full_disk_and_keeps_no_row_or_file(
    customer_client, customer, make_case, settings, monkeypatch
):
    import errno

    from cases import uploads

    case = make_case(customer)
    real_store = uploads.store
    calls = []

    def full_disk(uploaded):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_store(uploaded)

    monkeypatch.setattr(uploads, "store", full_disk)
    response = upload(
        customer_client,
        case,
        SimpleUploadedFile("one.txt", b"log\n"),
        SimpleUploadedFile("two.txt", b"log\n"),
    )
    assert response.status_code == 302
    page = customer_client.get(response.url).content.decode()
    assert "保存できませんでした" in page
    assert not Attachment.objects.exists()
    stored = settings.UPLOAD_ROOT / "attachments"
    assert not any(p.is_file() for p in stored.rglob("*"))
