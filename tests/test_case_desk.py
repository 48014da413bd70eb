"""The operator's case page as a desk: saved replies (rendered, inserted without JavaScript,
moving the status), the customer's context beside the thread, who else is on the case, and
the guard against answering over someone else's reply."""

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, CaseStatus, Message
from desk import replies
from desk.models import CaseViewer, SavedReply
from tests.factories import create_message, create_user, subscribe, with_authenticator
from tests.helpers import force_sign_in
from tests.test_case_admin_thread import CHANGE_PAGE_QUERIES

pytestmark = pytest.mark.django_db


def change_url(case, query=""):
    return reverse("admin:cases_case_change", args=[case.pk]) + query


def reply_url(case):
    return reverse("admin:cases_case_reply", args=[case.pk])


def presence_url(case):
    return reverse("admin:cases_case_presence", args=[case.pk])


def textarea(content: str) -> str:
    found = re.search(
        r'<textarea name="body" id="id_reply_body"[^>]*>(.*?)</textarea>', content, re.S
    )
    assert found, "no reply box"
    return found.group(1)


def selected_status(content: str) -> str:
    select = re.search(r'<select name="status_after".*?</select>', content, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)" selected>', select)
    return chosen.group(1) if chosen else ""


@pytest.fixture
def saved(db):
    return SavedReply.objects.create(
        title_ja="ログ依頼",
        title_en="Logs please",
        body_ja="{customer_name} 様、ケース {case_number} のログをお送りください。{operator_name}",
        body_en="Dear {customer_name}, please send the logs of case {case_number}. {operator_name}",
        sets_status=CaseStatus.WAITING_FOR_CUSTOMER,
    )


@pytest.fixture
def colleague_operator(make_user):
    user = make_user(
        email="yamada@eset.example", full_name="山田 太郎", is_staff=True, is_superuser=True
    )
    with_authenticator(user)
    return user


# -- saved replies: the text ------------------------------------------------------------------


def test_it_fills_the_placeholders_in_the_creators_language(saved, customer, operator, make_case):
    case = make_case(customer)
    assert replies.render(saved, case=case, operator=operator) == (
        f"佐藤 由紀 様、ケース {case.number} のログをお送りください。Olga Operator"
    )
    customer.language = "en"
    customer.save()
    case.refresh_from_db()
    assert replies.render(saved, case=case, operator=operator).startswith("Dear 佐藤 由紀,")


def test_it_falls_back_to_the_other_language_when_one_is_empty(customer, operator, make_case):
    only_ja = SavedReply(title_ja="t", title_en="t", body_ja="日本語だけ", body_en="")
    customer.language = "en"
    customer.save()
    assert replies.render(only_ja, case=make_case(customer), operator=operator) == "日本語だけ"


def test_it_leaves_other_braces_alone_and_runs_no_template(customer, operator, make_case):
    tricky = SavedReply(
        title_ja="t",
        title_en="t",
        body_ja="{case.__class__} {{ operator.password }} {% now 'Y' %} %(x)s {unknown} {0}",
        body_en="",
    )
    text = replies.render(tricky, case=make_case(customer), operator=operator)
    assert text == "{case.__class__} {{ operator.password }} {% now 'Y' %} %(x)s {unknown} {0}"
    # A name given as a placeholder's value is not expanded again.
    customer.full_name = "{case_number}"
    customer.save()
    named = SavedReply(title_ja="t", title_en="t", body_ja="{customer_name}", body_en="")
    assert replies.render(named, case=make_case(customer), operator=operator) == "{case_number}"


def test_it_loads_the_example_saved_replies_once(db):
    replies.load_examples()
    assert SavedReply.objects.count() == 3
    SavedReply.objects.filter(pk=1).update(title_en="Edited by an operator")
    replies.load_examples()
    assert SavedReply.objects.get(pk=1).title_en == "Edited by an operator"
    assert all("{customer_name}" in r.body_ja for r in SavedReply.objects.all())


def test_it_edits_saved_replies_in_the_admin_with_the_placeholders_explained(
    operator_client, saved
):
    page = operator_client.get(reverse("admin:desk_savedreply_change", args=[saved.pk]))
    assert page.status_code == 200
    assert "{customer_name}" in page.content.decode() and "{operator_name}" in page.content.decode()
    response = operator_client.post(
        reverse("admin:desk_savedreply_add"),
        {
            "title_ja": "お礼",
            "title_en": "Thanks",
            "body_ja": "ありがとうございます。",
            "body_en": "Thank you.",
            "sets_status": "",
            "position": "5",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert SavedReply.objects.filter(title_en="Thanks").exists()


# -- saved replies on the case page -----------------------------------------------------------


def test_it_offers_active_saved_replies_with_their_text_for_the_script(
    operator_client, saved, customer, make_case
):
    SavedReply.objects.create(
        title_ja="古い", title_en="Old", body_ja="x", body_en="x", active=False
    )
    case = make_case(customer)
    content = operator_client.get(change_url(case)).content.decode()
    option = re.search(
        rf'<option value="{saved.pk}" data-text="([^"]*)" data-status="([^"]*)"', content
    )
    assert (
        option.group(1)
        == f"佐藤 由紀 様、ケース {case.number} のログをお送りください。Olga Operator"
    )
    assert option.group(2) == "waiting_customer"
    assert "古い" not in content
    assert 'src="/static/hub/admin/case.js"' in content


def test_it_fills_the_reply_box_from_the_address_without_javascript(
    operator_client, saved, customer, make_case
):
    case = make_case(customer)
    content = operator_client.get(change_url(case, f"?saved_reply={saved.pk}")).content.decode()
    assert (
        textarea(content)
        == f"佐藤 由紀 様、ケース {case.number} のログをお送りください。Olga Operator"
    )
    assert selected_status(content) == "waiting_customer"
    for bad in ("999999", "abc", "-1", "1" * 40, ""):
        page = operator_client.get(change_url(case, f"?saved_reply={bad}"))
        assert page.status_code == 200 and textarea(page.content.decode()) == ""


def test_it_inserts_after_the_typed_text_with_the_insert_button(
    operator_client, saved, customer, make_case
):
    case = make_case(customer)
    response = operator_client.post(
        reply_url(case),
        {
            "body": "先に書いた文",
            "post_id": str(uuid.uuid4()),
            "saved_reply": saved.pk,
            "insert": "1",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert textarea(content) == (
        f"先に書いた文\n\n佐藤 由紀 様、ケース {case.number} のログをお送りください。Olga Operator"
    )
    assert selected_status(content) == "waiting_customer"
    assert not Message.objects.filter(case=case).exists()
    # The Handling form on that page still saves the case, not a reply.
    assert f'action="{change_url(case)}"' in content
    # Nothing chosen, or no such reply: the page again with the text as it was.
    for chosen in ("", "12345"):
        again = operator_client.post(
            reply_url(case), {"body": "そのまま", "saved_reply": chosen, "insert": "1"}
        )
        assert textarea(again.content.decode()) == "そのまま"


def test_it_moves_the_status_chosen_after_posting_through_the_service(
    operator_client, operator, customer, make_case, mailoutbox
):
    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    response = operator_client.post(
        reply_url(case),
        {"body": "解決しました", "post_id": str(uuid.uuid4()), "status_after": "resolved"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.closed_at is not None
    assert Message.objects.get(case=case).body == "解決しました"
    # The reply's mail and the closing's, as the Handling form sends it.
    assert len(mailoutbox) == 2
    moves = AuditEvent.objects.filter(action="case_status_changed", actor=operator)
    assert [(e.details["old"], e.details["new"]) for e in moves.order_by("id")] == [
        ("waiting_eset", "waiting_customer"),
        ("waiting_customer", "resolved"),
    ]


def test_it_keeps_the_status_when_asked_or_already_there(
    operator_client, customer, make_case, mailoutbox
):
    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    operator_client.post(reply_url(case), {"body": "a", "post_id": str(uuid.uuid4())})
    operator_client.post(
        reply_url(case),
        {"body": "b", "post_id": str(uuid.uuid4()), "status_after": "waiting_customer"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_CUSTOMER
    assert len(mailoutbox) == 2  # one per reply, no status mail
    bad = operator_client.post(
        reply_url(case), {"body": "c", "post_id": str(uuid.uuid4()), "status_after": "gone"}
    )
    assert bad.status_code == 302 and not Message.objects.filter(body="c").exists()


# -- the collision guard ---------------------------------------------------------------------


def test_it_does_not_post_over_another_operators_reply_and_keeps_the_text(
    operator_client, operator, colleague_operator, customer, make_case
):
    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    first = create_message(case, customer, "質問です")
    page = operator_client.get(change_url(case)).content.decode()
    assert f'name="seen" value="{first.pk}"' in page
    answer = create_message(case, colleague_operator, "山田が回答しました")
    post_id = str(uuid.uuid4())
    typed = {"body": "私の回答", "post_id": post_id, "seen": str(first.pk), "status_after": ""}

    response = operator_client.post(reply_url(case), typed)
    assert response.status_code == 200
    content = response.content.decode()
    assert not Message.objects.filter(body="私の回答").exists()
    warning = re.search(r'data-testid="reply-collision">(.*?)</div>', content, re.S).group(1)
    assert "山田 太郎" in warning
    assert "山田が回答しました" in content  # the new message is on the page
    assert textarea(content) == "私の回答"
    assert f'name="seen" value="{answer.pk}"' in content
    assert '<input type="hidden" name="confirm" value="1">' in content
    assert f'name="post_id" value="{post_id}"' in content

    confirmed = operator_client.post(
        reply_url(case), typed | {"seen": str(answer.pk), "confirm": "1"}
    )
    assert confirmed.status_code == 302
    assert Message.objects.filter(body="私の回答").count() == 1


def test_it_stops_for_a_customer_post_but_not_for_notes_or_ones_own(
    operator_client, operator, colleague_operator, customer, make_case
):
    case = make_case(customer)
    seen = create_message(case, operator, "最初の回答")
    create_message(case, colleague_operator, "社内のメモ", internal=True)
    create_message(case, operator, "別タブからの自分の回答")
    ok = operator_client.post(
        reply_url(case), {"body": "続き", "post_id": str(uuid.uuid4()), "seen": str(seen.pk)}
    )
    assert ok.status_code == 302 and Message.objects.filter(body="続き").exists()

    latest = Message.objects.filter(case=case).latest("id")
    create_message(case, customer, "お客さまの追記")
    stopped = operator_client.post(
        reply_url(case), {"body": "さらに", "post_id": str(uuid.uuid4()), "seen": str(latest.pk)}
    )
    assert stopped.status_code == 200 and not Message.objects.filter(body="さらに").exists()
    assert "佐藤 由紀" in stopped.content.decode()
    # An internal note answers nobody: it is not held back.
    note = operator_client.post(
        reply_url(case),
        {"body": "メモ", "post_id": str(uuid.uuid4()), "seen": str(latest.pk), "internal": "on"},
    )
    assert note.status_code == 302 and Message.objects.filter(body="メモ").exists()


# -- presence ----------------------------------------------------------------------------------


def test_it_records_the_page_view_and_tells_who_else_is_on_the_case(
    operator_client, operator, colleague_operator, signed_in_client, customer, make_case
):
    case = make_case(customer)
    operator_client.get(change_url(case))
    mine = CaseViewer.objects.get(case=case, operator=operator)
    assert mine.replying is False
    colleague = signed_in_client(colleague_operator)
    beat = colleague.post(presence_url(case), {"replying": "1"})
    assert beat.status_code == 200
    assert "Olga Operator" in beat.content.decode()
    assert "山田" not in beat.content.decode()  # not oneself

    seen_by_me = operator_client.post(presence_url(case), {"replying": "0"}).content.decode()
    assert "山田 太郎 が返信を入力しています" in seen_by_me
    colleague.post(presence_url(case), {"replying": "0"})
    page = operator_client.get(change_url(case)).content.decode()
    assert "山田 太郎 がこのケースを表示しています" in page
    assert 'aria-live="polite"' in page

    # A minute without a beat: gone.
    CaseViewer.objects.filter(operator=colleague_operator).update(
        seen_at=timezone.now() - dt.timedelta(seconds=61)
    )
    assert "山田" not in operator_client.post(presence_url(case)).content.decode()


def test_it_answers_presence_to_operators_with_the_second_factor_only(
    client, customer_client, make_user, signed_in_client, operator_client, customer, make_case
):
    case = make_case(customer)
    url = presence_url(case)
    anonymous = client.post(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    # A customer is sent to the admin's sign-in, which refuses a signed-in customer.
    refused = customer_client.post(url)
    assert refused.status_code == 302
    assert customer_client.get(refused["Location"], follow=True).status_code == 403
    no_second_factor = make_user(is_staff=True, is_superuser=True)
    half = signed_in_client(no_second_factor)  # no confirmed device: not verified
    assert half.post(url).status_code == 302
    assert not CaseViewer.objects.exists()
    assert operator_client.get(url).status_code == 405
    assert operator_client.post(presence_url(Case(pk=999999))).status_code == 404


def test_it_wants_the_csrf_token_for_a_beat(operator, customer, make_case):
    case = make_case(customer)
    careful = force_sign_in(Client(enforce_csrf_checks=True), operator)
    assert careful.post(presence_url(case), {"replying": "1"}).status_code == 403
    page = careful.get(change_url(case)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    beat = careful.post(presence_url(case), {"replying": "1"}, headers={"X-CSRFToken": token})
    assert beat.status_code == 200
    assert CaseViewer.objects.get(case=case).replying is True


# -- the customer's context --------------------------------------------------------------------


def test_it_shows_the_customers_context_beside_the_thread(
    operator_client, operator, customer, colleague, make_case, other_company_customer
):
    case = make_case(customer, service="premium-support")
    subscribe(customer.company, "mdr", included=10, used=3)
    subscribe(customer.company, "healthcheck", days_left=-5, started=300)
    others = [make_case(colleague, subject=f"別件 {n}") for n in range(12)]
    make_case(customer, subject="解決済みの件", status=CaseStatus.RESOLVED)
    make_case(other_company_customer, subject="よその会社の件")

    content = operator_client.get(change_url(case)).content.decode()
    panel = re.search(r'data-testid="case-context">(.*?)</aside>', content, re.S).group(1)
    assert "Example株式会社" in panel and str(customer.company.plan) in panel
    subscriptions = re.search(r'context-subscriptions">(.*?)</ul>', panel, re.S).group(1)
    assert "有効" in subscriptions
    assert "サブサービス残り 7 / 10" in subscriptions
    assert "期限切れ" in subscriptions
    listed = re.findall(r'href="/admin/cases/case/(\d+)/change/"', panel)
    assert len(listed) == 10 and str(case.pk) not in listed
    assert {int(pk) for pk in listed} <= {c.pk for c in others}
    assert "ほか 2 件" in panel
    assert "解決済みの件" not in panel and "よその会社の件" not in panel
    assert "ログインしたことはありません" in panel

    customer.last_login = timezone.now()
    customer.save()
    later = operator_client.get(change_url(case)).content.decode()
    last = re.search(r'context-last-login">(.*?)</dd>', later, re.S).group(1)
    assert str(timezone.localdate().year) in last


def test_it_draws_a_busy_case_page_in_the_same_number_of_queries(
    operator_client,
    operator,
    colleague_operator,
    customer,
    make_case,
    saved,
    django_assert_num_queries,
):
    case = make_case(customer)
    for code in ("mdr", "healthcheck"):
        subscribe(customer.company, code, included=5)
    for n in range(15):
        make_case(customer, subject=f"別件 {n}")
    for n in range(5):
        SavedReply.objects.create(title_ja=f"t{n}", title_en="t", body_ja="b", body_en="b")
    for n in range(3):
        viewer = create_user(is_staff=True, full_name=f"Viewer {n}")
        CaseViewer.objects.create(case=case, operator=viewer)
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        assert operator_client.get(change_url(case)).status_code == 200


def test_it_labels_every_control_of_the_desk(operator_client, customer, make_case, saved):
    content = operator_client.get(change_url(make_case(customer))).content.decode()
    for control in ("id_upload_files", "id_reply_body", "id_saved_reply", "id_status_after"):
        assert re.search(f'<label for="{control}"[ >]', content), control
    # The reply box sits above the newest message; Handling and Details follow the desk.
    assert content.index('id="hub-reply"') < content.index('data-testid="admin-thread"')
    assert content.index('data-testid="case-context"') < content.index('id="case_form"')


def test_it_shows_an_older_page_without_the_reply_box(
    operator_client, customer, make_case, settings
):
    settings.CHATTER_PAGE_SIZE = 1
    case = make_case(customer)
    posts = [create_message(case, customer, f"m{n}") for n in range(2)]
    content = operator_client.get(change_url(case, f"?before={posts[1].pk}")).content.decode()
    assert 'id="hub-reply"' not in content and "admin-thread-newest" in content


def test_it_says_in_the_panel_when_the_response_is_due(operator_client, customer, make_case):
    case = make_case(customer)
    panel = 'data-testid="context-due">'
    Case.objects.filter(pk=case.pk).update(
        response_kind="first",
        response_target_minutes=480,
        response_running_since=timezone.now() - dt.timedelta(hours=9),
        response_due_at=timezone.now() - dt.timedelta(hours=3, minutes=5),
    )
    content = operator_client.get(change_url(case)).content.decode()
    assert re.search(
        panel + r'<strong class="hub-due-overdue"><img [^>]+> 3 時間超過</strong>', content
    )
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.WAITING_FOR_CUSTOMER, response_running_since=None, response_due_at=None
    )
    assert panel + "一時停止中</dd>" in operator_client.get(change_url(case)).content.decode()
    Case.objects.filter(pk=case.pk).update(response_kind="", response_target_minutes=None)
    assert panel not in operator_client.get(change_url(case)).content.decode()
