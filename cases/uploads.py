"""Attachments: streaming upload limits, content sniffing against the allow-list, safe names."""

import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler

CHUNK = 64 * 1024


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams every upload to a temporary file, never to memory, and stops reading a file
    as soon as it passes ATTACHMENT_MAX_BYTES; the view reports the names it skipped."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.received = 0
        self.current_name = file_name
        super().new_file(field_name, file_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            skipped = getattr(self.request, "uploads_too_large", [])
            skipped.append(self.current_name)
            self.request.uploads_too_large = skipped
            self.file.close()
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


# Allowed kinds: recognised from the first bytes, and the name's extension must agree.
SIGNATURES = [
    ("pdf", (b"%PDF-",), {".pdf"}),
    ("png", (b"\x89PNG\r\n\x1a\n",), {".png"}),
    ("jpeg", (b"\xff\xd8\xff",), {".jpg", ".jpeg"}),
    ("gif", (b"GIF87a", b"GIF89a"), {".gif"}),
    ("zip", (b"PK\x03\x04", b"PK\x05\x06"), {".zip", ".docx", ".xlsx", ".pptx"}),
    ("7z", (b"7z\xbc\xaf\x27\x1c",), {".7z"}),
    ("rar", (b"Rar!\x1a\x07",), {".rar"}),
    ("gzip", (b"\x1f\x8b",), {".gz", ".tgz"}),
    ("evtx", (b"ElfFile\x00",), {".evtx"}),
    ("pcap", (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x0a\x0d\x0d\x0a"), {".pcap", ".pcapng"}),
]
TEXT_EXTENSIONS = {".txt", ".log", ".csv", ".json", ".xml", ".cfg", ".conf", ".ini", ".md"}
# Text that a browser might treat as a page or a script, whatever its extension.
ACTIVE_MARKUP = re.compile(
    rb"<\s*([a-z0-9_-]+:)?(!doctype|html|script|svg|iframe|body|head|object|embed|xml-stylesheet)",
    re.I,
)


def text_is_inert(uploaded) -> bool:
    """Scan a whole text file, not just its start, for markup a browser could run."""
    uploaded.seek(0)
    tail = b""
    for chunk in uploaded.chunks(CHUNK):
        window = tail + chunk
        if b"\x00" in chunk or ACTIVE_MARKUP.search(window):
            return False
        tail = window[-64:]
    uploaded.seek(0)
    return True


def sniff(head: bytes, name: str) -> str | None:
    """The allowed kind of a file from its first bytes and name, or None when refused."""
    extension = Path(name).suffix.lower()
    for kind, magics, extensions in SIGNATURES:
        if head.startswith(magics):
            return kind if extension in extensions else None
    if extension in TEXT_EXTENSIONS and b"\x00" not in head and not ACTIVE_MARKUP.search(head):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # only a character cut at the sample's end is fine
                return None
        return "text"
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"*/:<>?\\|]")


def clean_name(raw: str) -> str:
    """A display name: no path, no control or reserved characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        name = name.replace(ch, "")
    stem, extension = os.path.splitext(name)
    if len(name) > 200:
        name = stem[: 200 - len(extension[:20])] + extension[:20]
    return name or "file"


def store(uploaded) -> tuple[str, int, str]:
    """Copy an upload under a generated name; returns (stored name, size, SHA-256)."""
    stored_name = f"{uuid.uuid4().hex}"
    path = Path(settings.UPLOAD_ROOT) / "attachments" / stored_name[:2] / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    partial = path.with_suffix(".part")
    try:
        with partial.open("wb") as target:
            for chunk in uploaded.chunks(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        partial.rename(path)  # a crash mid-copy leaves only a .part, swept by cleanup
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return stored_name, size, digest.hexdigest()


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("not a stored name")
    return Path(settings.UPLOAD_ROOT) / "attachments" / stored_name[:2] / stored_name


def remove(stored_names) -> None:
    for stored_name in stored_names:
        path_of(stored_name).unlink(missing_ok=True)
