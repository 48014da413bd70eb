"""Images and texts for the preview tests, made with Pillow here rather than kept as files."""

import io
import struct
import threading
import types
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageDraw, PngImagePlugin

from cases import uploads
from cases.models import Attachment, PreviewState

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (35.0, 41.0, 22.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (139.0, 41.0, 30.0),
}
# Bytes after the image's end: something a re-encoding must not carry along.
TRAILER = b"PK\x03\x04 payload after the end of the image"


def jpeg_with_gps(width=800, height=600, *, orientation=6) -> bytes:
    """A photo whose EXIF has GPS coordinates and says "turn me 90°", with a comment and a
    payload after its end."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    ImageDraw.Draw(image).rectangle((0, 0, width // 4, height // 4), fill=(250, 200, 0))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Secret Camera"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret comment", quality=90)
    return out.getvalue() + TRAILER


def png_with_text(width=300, height=200) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret text chunk")
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 0, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims a huge size (its IHDR patched, CRC made anew)."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def animated_gif() -> bytes:
    frames = [Image.new("P", (120, 80), color) for color in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def upload_file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_text(case, uploader, content: bytes, name="service.log") -> Attachment:
    """A text attachment written straight to the store: the upload would refuse some of the
    texts the preview must still show safely (tags; encodings other than UTF-8)."""
    stored_name = uploads.store(SimpleUploadedFile(name, content))[0]
    return Attachment.objects.create(
        case=case,
        uploaded_by=uploader,
        name=name,
        stored_name=stored_name,
        size=len(content),
        sha256="0" * 64,
        kind="text",
        preview_state=PreviewState.NONE,
    )


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


class HeldThreads:
    """Stands in for hub.background's `threading` module: the threads it makes are held until
    `release()`, so a test sees what the page shows before the work is done."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def Thread(self, *args, **kwargs):
        self.threads.append(threading.Thread(*args, **kwargs))
        return types.SimpleNamespace(start=lambda: None)

    def release(self) -> None:
        for thread in self.threads:
            thread.start()
        for thread in self.threads:
            thread.join(timeout=30)
        self.threads = []
