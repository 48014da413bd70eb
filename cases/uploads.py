"""Attachments: streaming upload limits, content sniffing against the allow-list, safe names,
and the storage they live on (the filesystem, or S3 through django-storages)."""

import hashlib
import os
import re
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import SkipFile, StopUpload, TemporaryFileUploadHandler
from django.utils.translation import gettext as _

from accounts.services import has_second_factor

CHUNK = 64 * 1024


def may_upload(user) -> bool:
    """The portal's own gate, asked before a byte is written: signed in, and past the second
    factor unless the account has none yet (the registration session, which the portal lets
    in until its user sets one up; see accounts.middleware.SecondFactorMiddleware)."""
    if not user.is_authenticated:
        return False
    # is_verified comes from django_otp's middleware; without it nobody counts as verified.
    verified = getattr(user, "is_verified", lambda: False)()
    return verified or not has_second_factor(user)


def max_request_bytes() -> int | None:
    """The largest body that can still be accepted: every file at its limit, plus the form's
    fields and multipart framing, bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (None: no bound)."""
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is None:
        return None
    return (
        settings.ATTACHMENT_MAX_FILES * settings.ATTACHMENT_MAX_BYTES
        + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams every upload to a temporary file, never to memory, and refuses before writing:
    nothing at all for a request that is not signed in, no file past ATTACHMENT_MAX_FILES, no
    byte of a file past ATTACHMENT_MAX_BYTES. `refusals(request)` tells the view why."""

    # The file being written, until Django takes it (file_complete) or drops it.
    unfinished: TemporaryUploadedFile | None = None

    @property
    def flagged_request(self) -> Any:
        """The request, typed loosely: the handler marks refusals on it as attributes of its
        own (upload_too_large_in_total, uploads_too_many, uploads_too_large)."""
        return self.request

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Asked once per request, before the body is read: an anonymous or half-signed-in
        # request (e.g. a made-up CSRF cookie) gets its body read and dropped, never stored.
        self.allowed = may_upload(self.flagged_request.user)
        self.files_seen = 0
        limit = max_request_bytes()
        if self.allowed and limit is not None and content_length > limit:
            # Too large to be accepted whatever it holds: refused before its first byte.
            self.flagged_request.upload_too_large_in_total = True
            self.allowed = False
        return None

    def new_file(self, field_name, file_name, *args, **kwargs):
        if not self.allowed:
            raise StopUpload  # the rest is read and dropped; the view answers
        self.files_seen += 1
        if self.files_seen > settings.ATTACHMENT_MAX_FILES:
            # Stop before the extra file's first byte; the files so far are temporary files
            # that Django deletes when the request ends, and the view stores none of them.
            self.flagged_request.uploads_too_many = True
            raise StopUpload
        self.received = 0
        self.current_name = file_name
        super().new_file(field_name, file_name, *args, **kwargs)
        self.unfinished = self.file

    def file_complete(self, file_size):
        self.unfinished = None  # from here on the request's FILES holds it, closed at the end
        return super().file_complete(file_size)

    def upload_interrupted(self):
        # Also asked after a skipped last file; only a file still being written was cut off.
        if self.unfinished is not None:
            # The body ended inside a file (the person cancelled, the connection dropped):
            # Django deletes that file; any file before it is stored neither (see refusals).
            self.flagged_request.upload_interrupted = True
        self.unfinished = None
        super().upload_interrupted()

    def discard(self) -> None:
        """Delete the temporary file of a file cut off by an error while reading the body (a
        connection reset): Django's parser closes only the files it finished, and this
        handler, which the request holds in a reference cycle, would keep the file until the
        garbage collector ran."""
        unfinished, self.unfinished = self.unfinished, None
        if unfinished is not None:
            unfinished.close()  # a NamedTemporaryFile: deleted as it closes

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            skipped = getattr(self.request, "uploads_too_large", [])
            skipped.append(self.current_name)
            self.flagged_request.uploads_too_large = skipped
            self.unfinished = None
            self.file.close()
            raise SkipFile
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError:
            self.file.close()  # a full temp disk: the partial temporary file goes at once
            raise


def refusals(request) -> list[str]:
    """Why the upload handler refused this request's files, as messages for the person."""
    texts = []
    if getattr(request, "upload_interrupted", False):
        texts.append(_("The upload was interrupted; nothing was saved. Try again."))
    # Only flagged when there is a limit (see LimitedUploadHandler.handle_raw_input).
    limit = max_request_bytes()
    if getattr(request, "upload_too_large_in_total", False) and limit is not None:
        texts.append(
            _("Not uploaded: the files are larger than %(mb)d MB in total.")
            % {"mb": limit // (1024 * 1024)}
        )
    if getattr(request, "uploads_too_many", False):
        texts.append(
            _("Attach at most %(count)d files at a time.")
            % {"count": settings.ATTACHMENT_MAX_FILES}
        )
    if too_large := getattr(request, "uploads_too_large", []):
        texts.append(
            _("Not uploaded, larger than %(mb)d MB: %(names)s")
            % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024), "names": ", ".join(too_large)}
        )
    return texts


class UnfinishedUploadsMiddleware:
    """Whatever happens while the body is read, no temporary file outlives the request: a file
    cut off by a reset connection is deleted here (LimitedUploadHandler.discard)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            # Set only once something asked for the handlers (a POST that was parsed).
            for handler in getattr(request, "_upload_handlers", ()):
                if isinstance(handler, LimitedUploadHandler):
                    handler.discard()


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
# XML is markup by definition (and `<?xml-stylesheet` makes a browser run a page), so it is not
# among the texts; send it zipped.
TEXT_EXTENSIONS = {".txt", ".log", ".csv", ".json", ".cfg", ".conf", ".ini", ".md"}
# A text is inert only when a browser could not find a single tag in it. HTML's tokenizer opens
# a tag, an end tag, a comment/doctype/CDATA or a processing instruction exactly when "<" is
# followed by an ASCII letter, "/", "!" or "?"; any other "<" is plain text. So rather than
# naming dangerous tags (there are always more: <img, <a, <meta, <style>, <math>, namespaced
# ones…) every tag-like construct is refused, while logs with `a < b` or `<=` stay accepted.
TAG_LIKE = re.compile(rb"<[A-Za-z!?/]")


def accepted_extensions() -> list[str]:
    """Every extension a file may have to be accepted at all (its content is checked later):
    what the upload form tells the browser, and the script checks before sending."""
    named = {extension for _kind, _magics, extensions in SIGNATURES for extension in extensions}
    return sorted(named | TEXT_EXTENSIONS)


def text_is_inert(uploaded) -> bool:
    """Scan a whole text file, not just its start, for NUL bytes and anything tag-like."""
    uploaded.seek(0)
    tail = b""
    for chunk in uploaded.chunks(CHUNK):
        # The previous chunk's last byte comes along: a "<" at its end and the letter at the
        # start of this one are still one tag.
        if b"\x00" in chunk or TAG_LIKE.search(tail + chunk):
            return False
        tail = chunk[-1:]
    uploaded.seek(0)
    return True


def sniff(head: bytes, name: str) -> str | None:
    """The allowed kind of a file from its first bytes and name, or None when refused."""
    extension = Path(name).suffix.lower()
    for kind, magics, extensions in SIGNATURES:
        if head.startswith(magics):
            return kind if extension in extensions else None
    if extension in TEXT_EXTENSIONS and b"\x00" not in head and not TAG_LIKE.search(head):
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


# Storage ---------------------------------------------------------------------------------
# Attachments live on STORAGES["attachments"]: the filesystem by default, an S3 bucket when
# STORAGE_URL names one (hub/settings.py; the S3 backend is cases/storage_s3.py, so that boto3
# is imported only where it is used). Either way a file is written under a name it is
# known by only once complete, and is read back only through the access-checked download view.

# S3 multipart parts: at least 5 MiB by S3's rules; one part at a time is held in memory.
PART = 8 * 1024 * 1024


def attachment_storage() -> Storage:
    return storages["attachments"]


@runtime_checkable
class Sweepable(Protocol):
    """What cleanup_uploads needs of the attachment storage beyond Django's Storage API."""

    def listing(self) -> Iterator[tuple[str, float]]: ...

    def abort_stale_uploads(self, cutoff: float) -> int: ...

    def delete(self, name: str) -> None: ...


def sweepable_storage() -> Sweepable:
    storage = attachment_storage()
    if not isinstance(storage, Sweepable):
        raise ImproperlyConfigured(
            f'STORAGES["attachments"] ({type(storage).__name__}) cannot list leftovers: use '
            "cases.uploads.AttachmentFileStorage or cases.storage_s3.AttachmentS3Storage."
        )
    return storage


# A file being written on the filesystem (AttachmentFileStorage): never a whole attachment.
PARTIAL_SUFFIX = ".part"


def key_of(stored_name: str) -> str:
    """The storage name of an attachment: its generated name, under a folder of its first two
    characters (so that no folder of the filesystem holds every file)."""
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("not a stored name")
    return f"{stored_name[:2]}/{stored_name}"


class AttachmentFileStorage(FileSystemStorage):
    """UPLOAD_ROOT/attachments/ab/<name>, the layout of before storages. The root is read from
    the settings when used, not when built, so that a changed UPLOAD_ROOT (each test has its
    own) is followed. A file is written as <name>.part and renamed once complete: a reader never
    sees half a file, and a crash leaves only a .part for cleanup_uploads."""

    def __init__(self, location: str | None = None, **options: Any) -> None:
        self.root = location
        super().__init__(location=location, **options)

    @property
    def base_location(self) -> str:
        return str(self.root or Path(settings.UPLOAD_ROOT) / "attachments")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def _save(self, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(PARTIAL_SUFFIX)
        try:
            with partial.open("wb") as target:
                for chunk in content.chunks(CHUNK):
                    target.write(chunk)
            partial.rename(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return name

    def listing(self) -> Iterator[tuple[str, float]]:
        """(name, time last written) of every file, partial ones (PARTIAL_SUFFIX) included."""
        root = Path(self.location)
        for path in root.glob("*/*") if root.exists() else ():
            if path.is_file():
                yield path.relative_to(root).as_posix(), path.stat().st_mtime

    def abort_stale_uploads(self, cutoff: float) -> int:
        return 0  # a partial file is a file here: the listing has it


class _Digesting(File):
    """An upload as the storage reads it: every chunk is counted and hashed on its way."""

    def __init__(self, uploaded: Any) -> None:
        super().__init__(uploaded, getattr(uploaded, "name", None))
        self.uploaded = uploaded
        self.sha256 = hashlib.sha256()
        self.received = 0

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        self.sha256, self.received = hashlib.sha256(), 0  # a retry starts over
        for chunk in self.uploaded.chunks(CHUNK):
            self.sha256.update(chunk)
            self.received += len(chunk)
            yield chunk


def store(uploaded) -> tuple[str, int, str]:
    """Stream an upload to the attachment storage under a generated name; returns (stored
    name, size, SHA-256), both computed while the bytes go through."""
    stored_name = uuid.uuid4().hex
    content = _Digesting(uploaded)
    saved = attachment_storage().save(key_of(stored_name), content)
    if saved != key_of(stored_name):  # a uuid4 taken already: never expected, never kept
        attachment_storage().delete(saved)
        raise RuntimeError("stored name already taken")
    return stored_name, content.received, content.sha256.hexdigest()


def write(stored_name: str, content: bytes) -> None:
    """Store bytes made here (generated data) where store() puts uploads."""
    attachment_storage().save(key_of(stored_name), ContentFile(content))


def open_stored(stored_name: str) -> File:
    """The stored file, opened for reading (FileNotFoundError when it is gone)."""
    return attachment_storage().open(key_of(stored_name), "rb")


def path_of(stored_name: str) -> Path:
    """Where a file is on disk: for the filesystem storage only (tests, local tools)."""
    return Path(attachment_storage().path(key_of(stored_name)))


def remove(stored_names) -> None:
    storage = attachment_storage()
    for stored_name in stored_names:
        storage.delete(key_of(stored_name))
