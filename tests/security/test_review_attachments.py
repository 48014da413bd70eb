"""Review of issue 17 (uploads from the script, previews of screenshots and logs), from the
attacker's side and for reliability: what the review found, kept as tests."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases import previews
from cases.models import Attachment, PreviewRefusal, PreviewState
from tests import previews as samples

pytestmark = pytest.mark.django_db


def test_one_preview_that_cannot_be_made_does_not_stop_the_sweep_for_ever(attach):
    """The sweep takes the oldest first: a row whose preview fails in a way `make` does not
    expect (a stored name that is not one, a file it may not read) must be refused, not left
    pending at the head of every later sweep with all others behind it."""
    broken = attach("broken.png", samples.png_with_text())
    Attachment.objects.filter(pk=broken.pk).update(stored_name="not-a-stored-name")
    waiting = attach("waiting.png", samples.png_with_text())
    old = timezone.now() - previews.WAITING_TOO_LONG - dt.timedelta(minutes=1)
    Attachment.objects.filter(pk=broken.pk).update(created_at=old - dt.timedelta(minutes=1))
    Attachment.objects.filter(pk=waiting.pk).update(created_at=old)

    assert previews.make_waiting() == 2
    broken.refresh_from_db()
    waiting.refresh_from_db()
    assert (broken.preview_state, broken.preview_refusal) == (
        PreviewState.REFUSED,
        PreviewRefusal.FAILED,
    )
    assert waiting.preview_state == PreviewState.READY
    assert previews.make_waiting() == 0, "nothing is tried again and again"


def test_a_full_size_image_is_not_copied_before_it_is_scaled(attach):
    """A 40-megapixel RGBA screenshot is 160 MB decoded: a copy of it before scaling doubles
    what one preview holds (and two uploads at once, on the web process's threads)."""
    copied: list[tuple[int, int]] = []
    original_copy = Image.Image.copy

    def recording_copy(image):
        copied.append(image.size)
        return original_copy(image)

    screenshot = attach("wide.png", samples.png_with_text(width=3000, height=2000))
    with mock.patch.object(Image.Image, "copy", recording_copy):
        assert previews.make(screenshot.pk) == PreviewState.READY
    too_large = [size for size in copied if max(size) > previews.PREVIEW_SIDE]
    assert too_large == []


def test_a_logs_controls_and_bidi_overrides_are_shown_not_obeyed(
    customer_client, customer, make_case
):
    """A log line can hold terminal escapes, NUL and right-to-left overrides: the preview
    shows them as visible marks, so that "\u202egpj.exe" cannot read as a picture's name."""
    case = make_case(customer)
    content = "run \u202egpj.exe\u202c now\n\x1b[31mred\x00\x7f\tend\n".encode()
    text = samples.stored_text(case, customer, content)
    html = customer_client.get(
        reverse("cases:attachment_preview", args=[case.number, text.pk])
    ).content.decode()
    table = html.split('data-testid="text-preview"', 1)[1].split("</table>", 1)[0]
    for invisible in ("\u202e", "\u202c", "\x1b", "\x00", "\x7f"):
        assert invisible not in table, repr(invisible)
    assert "run [U+202E]gpj.exe[U+202C] now" in table
    assert "\u241b[31mred\u2400\u2421\tend" in table, "tabs stay tabs"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_once_a_file_is_sent_it_can_no_longer_be_cancelled(new_page, customer, monkeypatch):
    """Aborting the request after its last byte leaves the server storing the file: the page
    must not offer a cancel that would then say "nothing was kept"."""
    from playwright.sync_api import expect

    from cases import upload_script
    from tests.factories import create_case
    from tests.helpers import signed_in_page

    held = threading.Event()
    checking = threading.Event()
    original = upload_script.attachments_add

    def slow_checks(**kwargs):
        checking.set()
        held.wait(timeout=20)  # the server checking a large file, or a slow object store
        return original(**kwargs)

    monkeypatch.setattr(upload_script, "attachments_add", slow_checks)
    customer.language = "en"
    customer.save()
    case = create_case(customer, subject="Logs")
    page = signed_in_page(new_page, customer, "en-GB")
    page.goto(f"/cases/{case.number}/?tab=attachments")
    page.locator("input[type=file][name=files]").set_input_files(
        [{"name": "sent.log", "mimeType": "text/plain", "buffer": b"a" * 2_000}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    row = page.get_by_test_id("upload-list").get_by_role("listitem")
    try:
        assert checking.wait(timeout=10), "the server has the whole file"
        expect(row.get_by_role("button", name="Cancel sent.log")).to_have_count(0)
    finally:
        held.set()
    expect(row).to_contain_text("Uploaded.")
    assert Attachment.objects.filter(name="sent.log").exists()
