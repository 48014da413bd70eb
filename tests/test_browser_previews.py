"""A customer attaches a photo with GPS tags, a decompression bomb and a log: the photo's row
says its preview is being made, then shows a thumbnail by itself (the list's polling); the
preview it opens carries no GPS (checked with Pillow); the bomb's row says why it has no
preview and links to none; the log opens as numbered lines. Japanese and English."""

import io
from unittest import mock

import pytest
from PIL import Image
from playwright.sync_api import expect

from hub import background
from tests import previews as samples
from tests.factories import create_case
from tests.helpers import assert_accessible, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {
        "too_large": "画像が大きすぎるため、プレビューを作成できません。",
        "preview": "プレビュー",
    },
    "en": {"too_large": "The image is too large to preview.", "preview": "Preview"},
}
LOG = b"first line\nsecond line: a < b & c\n" + "三行目 ログ\n".encode()


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_previews_a_photo_without_gps_refuses_a_bomb_and_shows_a_log(
    new_page, customer, language, locale
):
    customer.language = language
    customer.save()
    w = WORDS[language]
    case = create_case(customer, subject="画面の確認")
    held = samples.HeldThreads()  # the previews wait until the placeholders are seen
    with mock.patch.object(background, "threading", held):
        page = signed_in_page(new_page, customer, locale)
        page.goto(f"/cases/{case.number}/?tab=attachments")
        page.locator("#id_files").set_input_files(
            [
                {"name": "写真.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg_with_gps()},
                {"name": "bomb.png", "mimeType": "image/png", "buffer": samples.png_bomb()},
                {"name": "service.log", "mimeType": "text/plain", "buffer": LOG},
            ]
        )
        page.locator("form[action$='/attachments/'] [type=submit]").click()
        files = page.get_by_test_id("attachments")
        expect(files.get_by_test_id("attachment-preview-pending")).to_have_count(2)
        held.release()

    # Polled every few seconds: the thumbnail comes without a reload.
    thumbnail = files.get_by_role("img", name="写真.jpg")
    expect(thumbnail).to_be_visible(timeout=12_000)
    expect(files.get_by_test_id("attachment-preview-refused")).to_have_text(w["too_large"])
    expect(files.get_by_test_id("attachment-preview-pending")).to_have_count(0)
    # The photo's and the log's: none for the bomb.
    expect(files.get_by_test_id("attachment-preview-link")).to_have_count(2)

    thumbnail.click()
    preview = page.get_by_test_id("image-preview")
    expect(preview).to_be_visible()
    response = page.request.get(preview.get_attribute("src"))
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.body()))
    assert not image.getexif() and "exif" not in image.info, "no EXIF, so no GPS"
    assert image.size == (600, 800), "turned upright by its EXIF orientation"

    page.go_back()
    page.get_by_test_id("attachments").get_by_role("link", name=w["preview"]).click()
    lines = page.get_by_test_id("text-preview").locator("tr")
    expect(lines).to_have_count(3)
    expect(lines.nth(1).locator("th")).to_have_text("2")
    expect(lines.nth(1).locator("td")).to_have_text("second line: a < b & c")
    expect(lines.nth(2).locator("td")).to_have_text("三行目 ログ")
    assert_accessible(page, f"the text preview ({language})")
