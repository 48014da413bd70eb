"""Sending files from the Attachments tab, in Japanese (at a phone's width) and English: three
files picked and dropped, each listed with its size, sent one request each with progress seen;
files over the size limit or of a type never accepted refused on the spot, before any request;
a slow upload cancelled halfway leaves no row and no temporary file; the list refreshes in
place; and without JavaScript the plain form still uploads. axe-core with files listed. One
upload through the operator's drop zone in the admin."""

import time

import pytest
from playwright.sync_api import expect

from cases.models import Attachment
from cases.uploads import LimitedUploadHandler
from tests.factories import create_case
from tests.helpers import (
    LAPTOP,
    PHONE,
    assert_accessible,
    at_width,
    reads_naturally,
    signed_in_page,
    within_reach,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024
WORDS = {
    "ja": {
        "done": "アップロードしました。",
        "too_large": "3 MB を超えるため送信しません。",
        "wrong_type": "受け付けていない種類のファイルのため送信しません。",
        "cancelled": "キャンセルしました。何も保存されていません。",
        "all_done": "すべてのアップロードが終わりました。",
        "upload": "アップロード",
        "attached": "1 個のファイルを添付しました。",
        "cancel": "big.log の送信をキャンセル",
    },
    "en": {
        "done": "Uploaded.",
        "too_large": "Larger than 3 MB: not sent.",
        "wrong_type": "This type of file is not accepted: not sent.",
        "cancelled": "Cancelled: nothing was kept.",
        "all_done": "All uploads have finished.",
        "upload": "Upload",
        "attached": "1 file was attached.",
        "cancel": "Cancel big.log",
    },
}

# Files dropped as a person drags them from the desktop: a DataTransfer built in the page.
DROP = """([selector, files]) => {
  const data = new DataTransfer();
  for (const [name, size] of files) data.items.add(new File(["a".repeat(size)], name));
  const zone = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { dataTransfer: data, bubbles: true, cancelable: true };
    zone.dispatchEvent(new DragEvent(type, init));
  }
}"""
# What the page reports of each upload's progress, recorded as it happens.
RECORD = """() => {
  window.seenProgress = [];
  document.querySelector("form[data-hub-upload]").addEventListener("hub:upload-progress",
    (event) => window.seenProgress.push(event.detail.percent));
}"""


def text_file(name, size):
    return {"name": name, "mimeType": "text/plain", "buffer": b"a" * size}


@pytest.fixture
def upload_requests(monkeypatch):
    """Every upload request that reaches the server (the live server runs in this process)."""
    seen = []
    original = LimitedUploadHandler.handle_raw_input

    def counted(self, *args, **kwargs):
        seen.append(self.request.path)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LimitedUploadHandler, "handle_raw_input", counted)
    return seen


def eventually(check, seconds=10):
    """A server-side state the page cannot show, waited for."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "never became true"
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("language", "locale", "width"), [("ja", "ja-JP", PHONE), ("en", "en-GB", LAPTOP)]
)
def test_it_sends_files_with_progress_refuses_early_and_cancels_cleanly(
    new_page, customer, colleague, settings, tmp_path, upload_requests, language, locale, width
):
    settings.ATTACHMENT_MAX_BYTES = 3 * MB
    temp = tmp_path / "upload-temp"
    temp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    for person in (customer, colleague):
        person.language = language
        person.save()
    w = WORDS[language]
    case = create_case(customer, subject="ログの送付")
    page = at_width(signed_in_page(new_page, customer, locale), width)
    page.goto(f"/cases/{case.number}/?tab=attachments")
    # Slow enough to watch: half a megabyte a second up.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": MB // 2},
    )
    picker = page.locator("input[type=file][name=files]")
    within_reach(picker)
    # From the keyboard: the picker takes the focus (shown around the zone). It is the browser's
    # own file input, whose dialog Space opens; Chromium under load opens it late or not at all
    # for a script, so the files are given to the input as the dialog would.
    picker.focus()
    expect(page.get_by_test_id("drop-zone")).to_have_css("outline-style", "solid")
    expect(picker).to_be_focused()
    picker.set_input_files([text_file("events.log", 600_000), text_file("notes.txt", 2_000)])
    page.evaluate(DROP, ["[data-hub-drop]", [["dropped.csv", 3_000], ["over.log", 3 * MB + 1]]])
    picker.set_input_files([text_file("tool.exe", 10)])
    listed = page.get_by_test_id("upload-list").get_by_role("listitem")
    expect(listed).to_have_count(5)
    expect(listed.filter(has_text="events.log")).to_contain_text("KB")
    expect(listed.filter(has_text="over.log")).to_contain_text(w["too_large"])
    expect(listed.filter(has_text="tool.exe")).to_contain_text(w["wrong_type"])
    reads_naturally(page, "the chosen files")
    assert page.problems == [], page.problems
    assert_accessible(page, f"files listed ({language})")
    page.problems.clear()  # axe's own style, refused by the CSP

    page.evaluate(RECORD)
    page.evaluate("window.stayedOnThePage = true")
    page.get_by_role("button", name=w["upload"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(w["all_done"], timeout=15_000)
    for name in ("events.log", "notes.txt", "dropped.csv"):
        expect(page.get_by_test_id("attachments")).to_contain_text(name)
    assert page.evaluate("window.stayedOnThePage") is True
    seen = page.evaluate("window.seenProgress")
    assert any(0 < percent < 100 for percent in seen), seen
    # The refused files never left the browser: three requests for three files.
    assert len(upload_requests) == 3, upload_requests
    assert sorted(Attachment.objects.values_list("name", flat=True)) == [
        "dropped.csv",
        "events.log",
        "notes.txt",
    ]

    # A slow one, cancelled halfway: nothing kept, no temporary file left.
    picker.set_input_files([text_file("big.log", int(2.5 * MB))])
    page.get_by_role("button", name=w["upload"], exact=True).click()
    big = listed.filter(has_text="big.log")
    expect(big.locator("progress")).not_to_have_attribute("value", "0")
    eventually(lambda: any(temp.iterdir()))  # the server is receiving it
    big.get_by_role("button", name=w["cancel"]).click()
    expect(big).to_contain_text(w["cancelled"])
    eventually(lambda: not any(temp.iterdir()))
    assert not Attachment.objects.filter(name="big.log").exists()
    assert Attachment.objects.count() == 3
    assert page.problems == [], page.problems

    # Without JavaScript (a colleague: the customer's code of this minute is used up): the
    # plain form, as before.
    plain = signed_in_page(new_page, colleague, locale, java_script_enabled=False)
    plain.goto(f"/cases/{case.number}/?tab=attachments")
    plain.locator("input[type=file][name=files]").set_input_files([text_file("plain.txt", 10)])
    plain.get_by_role("button", name=w["upload"], exact=True).click()
    expect(plain.locator("main")).to_contain_text(w["attached"])
    expect(plain.get_by_test_id("attachments")).to_contain_text("plain.txt")


def test_an_operator_drops_a_file_on_the_case_page(new_page, customer, operator):
    operator.language = "en"
    operator.save()
    case = create_case(customer, subject="Logs")
    page = signed_in_page(new_page, operator, "en-GB")
    page.goto(f"/admin/cases/case/{case.pk}/change/")
    zone = page.get_by_test_id("admin-drop-zone")
    expect(zone).to_be_visible()
    page.evaluate(DROP, ["[data-hub-drop]", [["operator.log", 2_000]]])
    expect(page.locator("[data-hub-upload-list] li")).to_contain_text("operator.log")
    page.evaluate("window.stayedOnThePage = true")
    page.locator("form[data-hub-upload] input[type=submit]").click()
    expect(page.get_by_role("status").filter(has_text="All uploads")).to_have_count(1)
    expect(page.locator("#hub-attachment-list")).to_contain_text("operator.log")
    assert page.evaluate("window.stayedOnThePage") is True
    assert Attachment.objects.get().by_operator
    assert page.problems == [], page.problems
