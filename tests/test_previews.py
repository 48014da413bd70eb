"""Previews of screenshots and texts (cases/previews.py): made from pixels only, refused safely,
made after the upload on a worker or a thread; texts decoded and cut at a character."""

import datetime as dt
import hashlib
import io
import time
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import call_command
from django.utils import timezone, translation
from PIL import ExifTags, Image

from cases import previews, uploads
from cases.models import Attachment, PreviewRefusal, PreviewState
from cases.services import attachments_add
from cases.tasks import make_preview, sweep_previews
from hub import background
from tests import previews as samples

pytestmark = pytest.mark.django_db


def stored_bytes(key: str) -> bytes:
    with uploads.attachment_storage().open(key, "rb") as handle:
        return handle.read()


def made(attachment, size: str) -> Image.Image:
    return samples.decoded(stored_bytes(previews.key_of(attachment, size)))


def test_it_redraws_a_photo_without_its_gps_tags_and_keeps_the_original(attach):
    original = samples.jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    attachment = attach("写真.jpg", original)
    assert attachment.preview_state == PreviewState.PENDING, "made after the commit"

    assert previews.make(attachment.pk) == PreviewState.READY

    attachment.refresh_from_db()
    assert attachment.preview_state == PreviewState.READY
    for size, side in (("thumbnail", 240), ("preview", 800)):
        data = stored_bytes(previews.key_of(attachment, size))
        image = samples.decoded(data)
        assert image.format == "JPEG"
        assert not image.getexif(), "no EXIF at all, so no GPS"
        assert "exif" not in image.info and "comment" not in image.info
        assert b"Secret Camera" not in data and b"secret comment" not in data
        assert samples.TRAILER not in data
        # Orientation 6 applied: the 800 × 600 photo stands upright.
        assert image.height == side and image.width == side * 3 // 4
    with uploads.open_stored(attachment.stored_name) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == hashlib.sha256(original).hexdigest()
    assert attachment.sha256 == hashlib.sha256(original).hexdigest()


def test_it_drops_a_pngs_text_chunks(attach):
    attachment = attach("screen.png", samples.png_with_text())
    previews.make(attachment.pk)

    for size in ("thumbnail", "preview"):
        data = stored_bytes(previews.key_of(attachment, size))
        assert b"secret text chunk" not in data and b"tEXt" not in data
        image = samples.decoded(data)
        assert image.format == "PNG" and image.mode == "RGBA" and not image.text


def test_it_previews_the_first_frame_of_an_animated_gif(attach):
    attachment = attach("anim.gif", samples.animated_gif())
    assert previews.make(attachment.pk) == PreviewState.READY
    preview = made(attachment, "preview")
    assert preview.format == "PNG" and preview.size == (120, 80)
    assert getattr(preview, "n_frames", 1) == 1


@pytest.mark.parametrize(
    "content",
    [
        samples.png_bomb(),  # 10 gigapixels: Pillow's own limit (twice ours) refuses it
        samples.png_bomb(7_000, 7_000),  # 49 megapixels: past ours, below Pillow's error
        samples.png_bomb(40_000, 1),  # few pixels, but no screenshot is that wide
    ],
    ids=["bomb", "past-our-limit", "too-wide"],
)
def test_it_refuses_a_decompression_bomb_and_stores_no_preview(attach, content):
    attachment = attach("bomb.png", content)
    assert previews.make(attachment.pk) == PreviewState.REFUSED

    attachment.refresh_from_db()
    assert attachment.preview_refusal == PreviewRefusal.TOO_LARGE
    with translation.override("ja"):
        assert attachment.get_preview_refusal_display() == (
            "画像が大きすぎるため、プレビューを作成できません。"
        )
    storage = uploads.attachment_storage()
    assert not any(storage.exists(key) for key in previews.keys_of(attachment.stored_name))
    assert storage.exists(uploads.key_of(attachment.stored_name)), "the original stays"


def test_it_refuses_a_truncated_jpeg(attach):
    whole = samples.jpeg_with_gps()
    attachment = attach("cut.jpg", whole[: len(whole) // 2])
    assert previews.make(attachment.pk) == PreviewState.REFUSED
    attachment.refresh_from_db()
    assert attachment.preview_refusal == PreviewRefusal.DAMAGED


def test_it_refuses_an_image_past_its_time_budget(attach):
    attachment = attach("slow.png", samples.png_with_text())
    assert previews.make(attachment.pk, deadline=time.monotonic() - 1) == PreviewState.REFUSED
    attachment.refresh_from_db()
    assert attachment.preview_refusal == PreviewRefusal.TOO_SLOW


def test_it_makes_a_preview_once(attach):
    attachment = attach("screen.png", samples.png_with_text())
    assert previews.make(attachment.pk) == PreviewState.READY
    assert previews.make(attachment.pk) == PreviewState.NONE, "not pending any more"


def test_it_gives_other_files_no_preview_to_make(attach):
    assert attach("notes.txt", b"hello\n").preview_state == PreviewState.NONE
    assert attach("report.pdf", b"%PDF-1.7\n").preview_state == PreviewState.NONE


def test_it_refuses_without_a_trace_when_the_original_is_gone(attach):
    attachment = attach("gone.png", samples.png_with_text())
    uploads.remove([attachment.stored_name])
    assert previews.make(attachment.pk) == PreviewState.REFUSED


def test_cleanup_keeps_previews_and_removes_those_of_no_attachment(attach, settings):
    from django.core.management import call_command

    attachment = attach("screen.png", samples.png_with_text())
    previews.make(attachment.pk)
    orphan = previews.key_of(attachment, "preview").replace(attachment.stored_name, "f" * 32)
    uploads.attachment_storage().save(orphan, io.BytesIO(b"x"))
    call_command("cleanup_uploads", "--min-age=0", stdout=io.StringIO())
    storage = uploads.attachment_storage()
    assert storage.exists(previews.key_of(attachment, "preview"))
    assert storage.exists(previews.key_of(attachment, "thumbnail"))
    assert not storage.exists(orphan)


# Outside the request: a task with a broker, a thread without --------------------------------


def test_it_makes_the_preview_as_a_celery_task(attach):
    attachment = attach("screen.png", samples.png_with_text())
    assert make_preview.apply(args=[attachment.pk]).get() == "ready"


def test_it_refuses_when_the_workers_time_limit_interrupts(attach):
    attachment = attach("screen.png", samples.png_with_text())
    with mock.patch("PIL.ImageOps.exif_transpose", side_effect=SoftTimeLimitExceeded):
        assert make_preview.apply(args=[attachment.pk]).get() == "refused"
    attachment.refresh_from_db()
    assert attachment.preview_refusal == PreviewRefusal.TOO_SLOW


def test_it_queues_the_preview_after_commit_when_there_is_a_broker(
    attach, settings, django_capture_on_commit_callbacks
):
    # The hand-off to a real Redis is the mail's (hub.background, tests/test_tasks.py).
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/12"
    with mock.patch.object(make_preview, "delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            attachment = attach("screen.png", samples.png_with_text())
        assert not delay.called, "nothing is queued before the commit"
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(attachment.pk)
    attachment.refresh_from_db()
    assert attachment.preview_state == PreviewState.PENDING, "the worker makes it"


@pytest.mark.django_db(transaction=True)
def test_it_makes_the_preview_on_a_thread_after_commit_without_a_broker(customer, make_case):
    case = make_case(customer)
    held = samples.HeldThreads()
    # Committed for real here, so the callback runs as the upload's transaction ends.
    with mock.patch.object(background, "threading", held):
        (attachment,) = attachments_add(
            case=case,
            uploader=customer,
            files=[samples.upload_file("写真.jpg", samples.jpeg_with_gps())],
        )
    assert len(held.threads) == 1 and attachment.preview_state == PreviewState.PENDING
    held.release()
    attachment.refresh_from_db()
    assert attachment.preview_state == PreviewState.READY
    assert not made(attachment, "preview").getexif()


# Texts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("ログ\n".encode(), "ログ\n", "UTF-8"),
        (b"\xef\xbb\xbf" + "ログ".encode(), "ログ", "UTF-8"),
        ("ログ".encode("utf-16"), "ログ", "UTF-16"),
        ("ログ".encode("utf-16-be").join([b"\xfe\xff", b""]), "ログ", "UTF-16"),
        ("イベント ログ".encode("cp932"), "イベント ログ", "Shift_JIS (CP932)"),
        (b"ok \x81 end", "ok \ufffd end", "UTF-8"),  # neither UTF-8 nor CP932
    ],
)
def test_it_reads_the_encodings_of_logs(data, text, encoding):
    assert previews.decode(data, final=True) == (text, encoding)


def test_it_cuts_a_sample_at_a_character_never_inside_one():
    data = "あいう".encode()[:-1]  # the last character cut in two
    assert previews.decode(data, final=False) == ("あい", "UTF-8")
    assert previews.decode("ログ".encode("utf-16")[:-1], final=False)[0] == "ロ"


def test_it_numbers_lines_as_an_editor_does():
    assert previews.split_lines("a\r\nb\rc\n\nd\n") == ["a", "b", "c", "", "d"]
    assert previews.split_lines("") == [""]


def test_it_shows_the_first_256_kb_of_a_long_log(customer, make_case):
    content = "あ".encode() * 100_000  # 300,000 bytes; 262,144 is not a multiple of 3
    attachment = samples.stored_text(make_case(customer), customer, content)
    preview = previews.text_preview(attachment)
    assert preview.is_cut and preview.shown_bytes == 256 * 1024
    assert preview.total_bytes == 300_000
    assert preview.lines == ["あ" * (256 * 1024 // 3)], "no half character, no replacement"


def test_it_shows_at_most_5000_lines(customer, make_case):
    content = b"".join(b"line %d\r\n" % n for n in range(1, 8001))
    attachment = samples.stored_text(make_case(customer), customer, content)
    preview = previews.text_preview(attachment)
    assert len(preview.lines) == 5000 and preview.lines[-1] == "line 5000"
    assert preview.is_cut and preview.shown_bytes == content.index(b"line 5001")


def test_it_sweeps_up_previews_that_waited_too_long_and_only_those(attach):
    """A hand-off lost with a broker that was away leaves a screenshot pending: the sweep
    (beat's sweep_previews, `manage.py make_previews`) makes it; a fresh one is left to its
    own task."""
    lost = attach("lost.png", samples.png_with_text())
    attach("fresh.png", samples.png_with_text())
    Attachment.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - previews.WAITING_TOO_LONG - dt.timedelta(minutes=1)
    )
    call_command("make_previews", stdout=io.StringIO())
    states = dict(Attachment.objects.values_list("name", "preview_state"))
    assert states == {"lost.png": PreviewState.READY, "fresh.png": PreviewState.PENDING}
    assert sweep_previews.apply().get() == "0 previews made or refused."


def test_a_sweep_ends_before_the_next_is_due(attach, monkeypatch):
    for name in ("a.png", "b.png"):
        attach(name, samples.png_with_text())
    Attachment.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    monkeypatch.setattr(previews, "SWEEP_SECONDS", -1)  # out of time from the start
    assert previews.make_waiting() == 0
    assert set(Attachment.objects.values_list("preview_state", flat=True)) == {"pending"}
