"""The preview views and the list's preview part: reached exactly as downloads are, served with
the downloads' headers, a placeholder until ready, texts escaped in the page."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import previews
from cases.models import PreviewState
from cases.services import attachments_add
from tests import previews as samples
from tests.helpers import PASSWORD, detail, force_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(customer, operator):
    """The words asserted are the English ones."""
    for user in (customer, operator):
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def screenshot(customer, make_case):
    case = make_case(customer)
    (attachment,) = attachments_add(
        case=case,
        uploader=customer,
        files=[samples.upload_file("画面.jpg", samples.jpeg_with_gps())],
    )
    previews.make(attachment.pk)
    attachment.refresh_from_db()
    return attachment


def portal_urls(attachment) -> dict[str, str]:
    args = [attachment.case.number, attachment.pk]
    return {
        name: reverse(f"cases:{name}", args=args)
        for name in (
            "attachment_download",
            "attachment_thumbnail",
            "attachment_preview",
            "attachment_preview_image",
            "attachment_preview_state",
        )
    }


def admin_urls(attachment) -> dict[str, str]:
    return {
        name: reverse(f"admin:cases_{name}", args=[attachment.pk])
        for name in (
            "attachment_download",
            "attachment_thumbnail",
            "attachment_preview",
            "attachment_preview_image",
        )
    }


def test_it_serves_previews_inline_with_the_downloads_guard(customer_client, screenshot):
    urls = portal_urls(screenshot)
    for name, content_type in (
        ("attachment_thumbnail", "image/jpeg"),
        ("attachment_preview_image", "image/jpeg"),
    ):
        response = customer_client.get(urls[name])
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert not response.get("Content-Disposition", "").startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert response["Cache-Control"] == "private, no-store"
        image = samples.decoded(b"".join(response.streaming_content))
        assert not image.getexif()
    page = customer_client.get(urls["attachment_preview"]).content.decode()
    assert f'src="{urls["attachment_preview_image"]}"' in page and 'alt="画面.jpg"' in page


def test_another_companys_user_gets_404_exactly_as_for_a_download(
    signed_in_client, other_company_customer, colleague, screenshot
):
    other = signed_in_client(other_company_customer)
    for url in portal_urls(screenshot).values():
        assert other.get(url).status_code == 404, url
    same = signed_in_client(colleague)
    for url in portal_urls(screenshot).values():
        assert same.get(url).status_code == 200, url


def test_it_sends_the_signed_out_and_the_half_signed_in_to_sign_in(customer, screenshot):
    half = Client()
    half.post(reverse("accounts:login"), {"email": customer.email, "password": PASSWORD})
    for client in (Client(), half):
        for url in [*portal_urls(screenshot).values(), *admin_urls(screenshot).values()]:
            response = client.get(url)
            assert response.status_code == 302 and "login" in response["Location"], url


def test_operators_see_previews_in_the_admin_only_past_the_second_factor(
    signed_in_client, operator, make_user, screenshot
):
    verified = signed_in_client(operator)
    for url in admin_urls(screenshot).values():
        assert verified.get(url).status_code == 200, url
    for url in portal_urls(screenshot).values():
        assert verified.get(url).status_code == 403, "operators work in the admin"

    unverified = Client()
    unverified.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    no_device = force_sign_in(Client(), make_user(email="new.op@eset.example", is_staff=True))
    assert not TOTPDevice.objects.filter(user__email="new.op@eset.example").exists()
    for client in (unverified, no_device):
        for url in admin_urls(screenshot).values():
            response = client.get(url)
            assert response.status_code == 302 and "login" in response["Location"], url


def test_customers_do_not_reach_the_admins_previews(customer_client, screenshot):
    for url in admin_urls(screenshot).values():
        assert customer_client.get(url).status_code in (302, 403), url


def test_it_answers_not_ready_with_the_placeholder_never_a_500(customer_client, screenshot):
    screenshot.preview_state = PreviewState.PENDING
    screenshot.save()
    urls = portal_urls(screenshot)
    assert customer_client.get(urls["attachment_thumbnail"]).status_code == 404
    assert customer_client.get(urls["attachment_preview_image"]).status_code == 404
    page = customer_client.get(urls["attachment_preview"]).content.decode()
    assert "Preparing preview…" in page and "<img" not in page.split("<main", 1)[-1]


def test_the_list_polls_a_pending_preview_a_bounded_number_of_times(customer_client, screenshot):
    screenshot.preview_state = PreviewState.PENDING
    screenshot.save()
    tab = customer_client.get(detail(screenshot.case, tab="attachments")).content.decode()
    state_url = portal_urls(screenshot)["attachment_preview_state"]
    assert f'hx-get="{state_url}?poll=0"' in tab and 'href="?tab=attachments"' in tab
    again = customer_client.get(state_url + "?poll=5")
    assert f"{state_url}?poll=6" in again.content.decode()
    assert again["Cache-Control"] == "no-store"
    last = customer_client.get(state_url + "?poll=19").content.decode()
    assert "hx-get" not in last and "Preparing preview…" in last, "then only the reload link"

    previews.Attachment.objects.filter(pk=screenshot.pk).update(preview_state="ready")
    ready = customer_client.get(state_url + "?poll=1").content.decode()
    assert 'alt="画面.jpg"' in ready and portal_urls(screenshot)["attachment_thumbnail"] in ready


def test_the_list_shows_a_thumbnail_linking_to_the_preview(customer_client, screenshot):
    tab = customer_client.get(detail(screenshot.case, tab="attachments")).content.decode()
    urls = portal_urls(screenshot)
    assert f'href="{urls["attachment_preview"]}"' in tab
    assert f'<img class="hub-thumb" src="{urls["attachment_thumbnail"]}" alt="画面.jpg"' in tab


def test_the_list_says_why_there_is_no_preview(customer_client, customer, make_case):
    case = make_case(customer)
    (bomb,) = attachments_add(
        case=case, uploader=customer, files=[samples.upload_file("bomb.png", samples.png_bomb())]
    )
    previews.make(bomb.pk)
    tab = customer_client.get(detail(case, tab="attachments")).content.decode()
    assert "The image is too large to preview." in tab
    assert reverse("cases:attachment_preview", args=[case.number, bomb.pk]) not in tab


def test_the_admins_list_shows_thumbnails_and_a_reload_link(operator_client, screenshot):
    page = operator_client.get(reverse("admin:cases_case_change", args=[screenshot.case_id]))
    html = page.content.decode()
    urls = admin_urls(screenshot)
    assert f'src="{urls["attachment_thumbnail"]}" alt="画面.jpg"' in html
    assert f'href="{urls["attachment_preview"]}"' in html
    previews.Attachment.objects.filter(pk=screenshot.pk).update(preview_state="pending")
    html = operator_client.get(
        reverse("admin:cases_case_change", args=[screenshot.case_id])
    ).content.decode()
    assert "Preparing preview…" in html and "hx-get" not in html


# Texts ------------------------------------------------------------------------------------


def test_a_text_preview_shows_markup_as_text_with_line_numbers(
    customer_client, operator_client, customer, make_case
):
    case = make_case(customer)
    attachment = samples.stored_text(
        case, customer, b"first <b>line</b>\r\n<script>alert(1)</script>\n\nlast & final\n"
    )
    url = reverse("cases:attachment_preview", args=[case.number, attachment.pk])
    for client, address in (
        (customer_client, url),
        (operator_client, reverse("admin:cases_attachment_preview", args=[attachment.pk])),
    ):
        response = client.get(address)
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert "<script>alert" not in html and "<b>line" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert '<th scope="row">4</th><td>last &amp; final</td>' in html
        assert '<th scope="row">5</th>' not in html
        assert "The whole file (" in html
    tab = customer_client.get(detail(case, tab="attachments")).content.decode()
    assert f'href="{url}"' in tab, "a Preview link in the list"


def test_a_long_logs_preview_says_how_much_is_shown(customer_client, customer, make_case):
    case = make_case(customer)
    attachment = samples.stored_text(case, customer, b"x" * 1023 + b"\n" * (3 * 1024 * 1024))
    html = customer_client.get(
        reverse("cases:attachment_preview", args=[case.number, attachment.pk])
    ).content.decode()
    # 5,000 lines: the first 1,023 bytes and 4,999 more line ends, then the cut.
    assert "The first 5.9\xa0KB of 3.0\xa0MB are shown." in html
    wide = samples.stored_text(case, customer, b"y" * (2 * 1024 * 1024), name="one.log")
    html = customer_client.get(
        reverse("cases:attachment_preview", args=[case.number, wide.pk])
    ).content.decode()
    assert "The first 256.0\xa0KB of 2.0\xa0MB are shown." in html


def test_other_files_have_no_preview_page(customer_client, customer, make_case):
    case = make_case(customer)
    (pdf,) = attachments_add(
        case=case, uploader=customer, files=[samples.upload_file("a.pdf", b"%PDF-1.7\n")]
    )
    for name in ("attachment_preview", "attachment_thumbnail", "attachment_preview_image"):
        url = reverse(f"cases:{name}", args=[case.number, pdf.pk])
        assert customer_client.get(url).status_code == 404
