"""Previews of attachments: screenshots redrawn with Pillow, texts shown escaped in the page.

A screenshot's preview is made after the upload's commit, by a Celery worker when there is a
broker, else on a thread (hub.background), never in the request that uploads. Only the pixels
go across: the image is decoded, turned upright by its EXIF orientation, scaled, copied into a
new image and encoded again, so no EXIF (GPS), ICC profile, text chunk, comment or bytes after
the image's end reach the preview. The original is never touched.

Decoding is where untrusted bytes meet C code, so it is bounded: a pixel count and side length
read from the header before any pixel is decoded, Pillow's own bomb check on top, truncated
files refused (never padded), and a time budget.
"""

import codecs
import datetime as dt
import io
import logging
import re
import time
import warnings
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from PIL import Image, ImageOps

from cases import uploads
from cases.models import Attachment, PreviewRefusal, PreviewState
from hub import background
from hub.outages import Unavailable

logger = logging.getLogger(__name__)

IMAGE_KINDS = {"png", "jpeg", "gif"}
THUMBNAIL_SIDE = 240
PREVIEW_SIDE = 1600
# 40 megapixels is a full-page screenshot of 2,000 × 20,000 or three 4K screens side by side;
# decoded as RGBA it is 160 MB, the most one preview may hold in memory at once.
MAX_PIXELS = 40_000_000
# A strip of 1 × 40,000,000 is within the pixel count but no screenshot.
MAX_SIDE = 30_000
# Seconds for one image. A worker stops the task at this budget (soft_time_limit); a thread
# cannot be stopped, so there the steps are timed and an image past the budget is refused.
TIME_BUDGET_SECONDS = 20
TEXT_PREVIEW_BYTES = 256 * 1024
# A page of 256 KB of empty lines would be a quarter of a million table rows.
TEXT_PREVIEW_LINES = 5_000


class Refused(Exception):
    def __init__(self, reason: PreviewRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def initial_state(kind: str) -> PreviewState:
    return PreviewState.PENDING if kind in IMAGE_KINDS else PreviewState.NONE


def schedule(attachment: Attachment) -> None:
    """After the upload's commit, have the preview made elsewhere (inside the upload's
    transaction: a rolled-back upload makes nothing)."""
    if attachment.preview_state != PreviewState.PENDING:
        return
    from cases.tasks import make_preview  # cases.tasks imports this module

    pk = attachment.pk
    transaction.on_commit(
        lambda: background.hand_off(make_preview, pk, inline=make, what=f"preview {pk}")
    )


# How long a preview may wait before the sweep makes it (a hand-off lost with a broker that was
# away, a worker that died, a screenshot uploaded before previews existed), and how many one
# sweep makes: each is a decode of up to TIME_BUDGET_SECONDS.
WAITING_TOO_LONG = dt.timedelta(minutes=10)
SWEEP_LIMIT = 50
SWEEP_SECONDS = 8 * 60


def make_waiting(*, older_than: dt.timedelta = WAITING_TOO_LONG, limit: int = SWEEP_LIMIT) -> int:
    """Make here the previews that have waited longer than `older_than`, oldest first; returns
    how many were tried. Run by beat (cases.tasks.sweep_previews) and `manage.py make_previews`."""
    cutoff = timezone.now() - older_than
    waiting = Attachment.objects.filter(preview_state=PreviewState.PENDING, created_at__lt=cutoff)
    ids = list(waiting.order_by("created_at", "id").values_list("id", flat=True)[:limit])
    # A sweep ends before beat starts the next one (every ten minutes): the rest waits for it.
    stop_at = time.monotonic() + SWEEP_SECONDS
    tried = 0
    for attachment_id in ids:
        if time.monotonic() > stop_at:
            break
        tried += 1
        try:
            make(attachment_id)
        except (DatabaseError, Unavailable):
            raise  # away for every row: the next sweep tries again
        except Exception:
            # What failed here would fail the same way next time: refused, so that it does
            # not head every later sweep (oldest first) with all the others behind it.
            logger.exception("preview of attachment %s failed", attachment_id)
            refuse(attachment_id, PreviewRefusal.FAILED)
    return tried


# Stored files ------------------------------------------------------------------------------


def image_format(kind: str) -> tuple[str, str]:
    """(Pillow format, content type) of the previews of an image kind: photos stay JPEG, the
    rest (screenshots: flat colours and text) PNG."""
    return ("JPEG", "image/jpeg") if kind == "jpeg" else ("PNG", "image/png")


def key_of(attachment: Attachment, size: str) -> str:
    """Where the thumbnail ("thumbnail") or preview ("preview") of an attachment is stored:
    beside the original, named after it (cleanup_uploads knows these names)."""
    extension = ".jpg" if attachment.kind == "jpeg" else ".png"
    return f"{uploads.key_of(attachment.stored_name)}.{size}{extension}"


def keys_of(stored_name: str) -> set[str]:
    """Every name a preview of the stored file may have."""
    base = uploads.key_of(stored_name)
    return {f"{base}.{size}{ext}" for size in ("thumbnail", "preview") for ext in (".jpg", ".png")}


def open_image(attachment: Attachment, size: str):
    """A ready preview's stored file (FileNotFoundError when it is gone)."""
    return uploads.attachment_storage().open(key_of(attachment, size), "rb")


def _put(key: str, data: bytes) -> None:
    storage = uploads.attachment_storage()
    storage.delete(key)  # made again (a retried task): replaced, not saved under a new name
    saved = storage.save(key, ContentFile(data))
    if saved != key:  # another run wrote it between the two calls: theirs is as good
        storage.delete(saved)


# Screenshots --------------------------------------------------------------------------------


def make(attachment_id: int, *, deadline: float | None = None) -> PreviewState:
    """Make the thumbnail and preview of a pending screenshot, or record why not."""
    attachment = Attachment.objects.filter(
        pk=attachment_id, preview_state=PreviewState.PENDING
    ).first()
    if attachment is None:  # made already, refused, or the row is gone
        return PreviewState.NONE
    if deadline is None:
        deadline = time.monotonic() + TIME_BUDGET_SECONDS
    try:
        with uploads.open_stored(attachment.stored_name) as source:
            thumbnail, preview = render(source, attachment.kind, deadline=deadline)
    except FileNotFoundError:
        return refuse(attachment_id, PreviewRefusal.FAILED)
    except Refused as refused:
        return refuse(attachment_id, refused.reason)
    _put(key_of(attachment, "thumbnail"), thumbnail)
    _put(key_of(attachment, "preview"), preview)
    Attachment.objects.filter(pk=attachment_id, preview_state=PreviewState.PENDING).update(
        preview_state=PreviewState.READY
    )
    return PreviewState.READY


def refuse(attachment_id: int, reason: PreviewRefusal) -> PreviewState:
    logger.info("no preview of attachment %s: %s", attachment_id, reason.value)
    Attachment.objects.filter(pk=attachment_id, preview_state=PreviewState.PENDING).update(
        preview_state=PreviewState.REFUSED, preview_refusal=reason
    )
    return PreviewState.REFUSED


def render(source, kind: str, *, deadline: float) -> tuple[bytes, bytes]:
    """(thumbnail, preview) of an image file, encoded anew from its pixels; Refused when the
    image is too large, damaged, too slow or not to be read."""
    # Set for every decode rather than trusted to a default; Pillow raises past twice this.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        # catch_warnings is process-wide and so not thread-safe: the size check below is what
        # refuses bombs; the warning made an error is a second net under it.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upright = _decode(source, kind, deadline)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(PreviewRefusal.TOO_LARGE) from None
    except Refused:
        raise
    except SoftTimeLimitExceeded:  # a worker's budget (cases.tasks.make_preview) ran out
        raise Refused(PreviewRefusal.TOO_SLOW) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        # Truncated (Pillow never pads a short file: LOAD_TRUNCATED_IMAGES stays off),
        # corrupt, or not what its first bytes said.
        raise Refused(PreviewRefusal.DAMAGED) from None
    except MemoryError:
        raise Refused(PreviewRefusal.TOO_LARGE) from None
    except Exception:
        logger.exception("preview of a %s image failed", kind)
        raise Refused(PreviewRefusal.FAILED) from None
    # Scaled where it is: a copy of the full-size image would double what one preview holds.
    preview = upright
    preview.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    _check_time(deadline)
    thumbnail = _scaled(preview, THUMBNAIL_SIDE)
    _check_time(deadline)
    return _encode(thumbnail, kind), _encode(preview, kind)


def _decode(source, kind: str, deadline: float) -> Image.Image:
    image = Image.open(source, formats=[image_format_of_kind(kind)])
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise Refused(PreviewRefusal.TOO_LARGE)
    if kind == "jpeg":
        # Decoded at 1/2, 1/4 or 1/8 scale when that still covers the preview: less memory.
        image.draft("RGB", (PREVIEW_SIDE, PREVIEW_SIDE))
    image.load()  # the first frame only, for an animated GIF
    _check_time(deadline)
    # In place, and converted only when needed: each would otherwise be a full-size copy.
    ImageOps.exif_transpose(image, in_place=True)
    alpha = "A" in image.getbands() or "transparency" in image.info
    mode = "RGBA" if alpha and kind != "jpeg" else "RGB"
    upright = image if image.mode == mode else image.convert(mode)
    _check_time(deadline)
    return upright


def image_format_of_kind(kind: str) -> str:
    return {"png": "PNG", "jpeg": "JPEG", "gif": "GIF"}[kind]


def _check_time(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise Refused(PreviewRefusal.TOO_SLOW)


def _scaled(image: Image.Image, side: int) -> Image.Image:
    scaled = image.copy()
    scaled.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return scaled


def _encode(image: Image.Image, kind: str) -> bytes:
    # A new image from the raw pixels: nothing of the source's `info` (EXIF, ICC, text
    # chunks, comments) can come along into the encoder.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    format_, _content_type = image_format(kind)
    out = io.BytesIO()
    if format_ == "JPEG":
        clean.save(out, format_, quality=85)
    else:
        clean.save(out, format_, compress_level=6)
    return out.getvalue()


# Texts ----------------------------------------------------------------------------------------


@dataclass
class TextPreview:
    lines: list[str]
    shown_bytes: int
    total_bytes: int
    encoding: str

    @property
    def is_cut(self) -> bool:
        return self.shown_bytes < self.total_bytes


def text_preview(attachment: Attachment) -> TextPreview:
    """The first TEXT_PREVIEW_BYTES of a text file, decoded, as lines (FileNotFoundError when
    the file is gone)."""
    with uploads.open_stored(attachment.stored_name) as handle:
        data = handle.read(TEXT_PREVIEW_BYTES)
    whole = len(data) < TEXT_PREVIEW_BYTES or attachment.size <= TEXT_PREVIEW_BYTES
    text, encoding = decode(data, final=whole)
    shown = len(data)
    if (cut := _end_of_line(text, TEXT_PREVIEW_LINES)) is not None:
        text = text[:cut]
        # In the file's own encoding (near enough where characters were replaced).
        shown = len(text.encode(_CODECS[encoding], errors="replace"))
    return TextPreview(
        lines=[_INVISIBLE.sub(_visible, line) for line in split_lines(text)],
        shown_bytes=shown,
        total_bytes=max(attachment.size, len(data)),
        encoding=encoding,
    )


def _end_of_line(text: str, number: int) -> int | None:
    """Where line `number` ends in the text, or None when the text has no more lines."""
    for count, match in enumerate(_LINE_BREAK.finditer(text), start=1):
        if count == number:
            return match.end() if match.end() < len(text) else None
    return None


def decode(data: bytes, *, final: bool) -> tuple[str, str]:
    """Text from bytes: UTF-8 (with or without its BOM), UTF-16 with a BOM, else CP932 (the
    logs of Japanese Windows), else UTF-8 with replacement characters. Not `final` (a cut
    sample): a character cut at the end is left out, never shown as garbage."""
    if data.startswith(codecs.BOM_UTF8):
        return _decoded(data[len(codecs.BOM_UTF8) :], "utf-8", final, "replace"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(data, "utf-16", final, "replace"), "UTF-16"
    for encoding, label in (("utf-8", "UTF-8"), ("cp932", "Shift_JIS (CP932)")):
        try:
            return _decoded(data, encoding, final, "strict"), label
        except UnicodeDecodeError:
            continue
    return _decoded(data, "utf-8", final, "replace"), "UTF-8"


def _decoded(data: bytes, encoding: str, final: bool, errors: str) -> str:
    # An incremental decoder keeps an unfinished character back rather than failing on it.
    return codecs.getincrementaldecoder(encoding)(errors).decode(data, final=final)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Controls (but the tab) and bidirectional overrides, which would act on the page rather than
# be read: a right-to-left override makes "<RLO>gpj.exe" look like "exe.jpg".
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CODECS = {"UTF-8": "utf-8", "UTF-16": "utf-16", "Shift_JIS (CP932)": "cp932"}


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ␀, ␛, …
    return "\u2421" if code == 0x7F else f"[U+{code:04X}]"


def split_lines(text: str) -> list[str]:
    """Lines as a text editor numbers them (CR LF, CR or LF; no empty line after the last)."""
    lines = _LINE_BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines
