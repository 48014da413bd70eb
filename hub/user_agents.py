"""What a person calls the browser behind a User-Agent header: 「Chrome (Windows)」, not the
header itself. Browser and system names are product names, the same in every language; only
"unknown" is translated.

A small table, not a full parser: the names a person recognises on an approval request. Order
matters, as every browser claims to be others too (Edge says Chrome and Safari, Chrome says
Safari, every iPhone browser is Safari underneath)."""

from django.utils.translation import gettext

BROWSERS = [
    (("Edg/", "EdgA/", "EdgiOS/"), "Edge"),
    (("OPR/", "Opera"), "Opera"),
    (("SamsungBrowser/",), "Samsung Internet"),
    (("Firefox/", "FxiOS/"), "Firefox"),
    (("CriOS/", "Chrome/", "Chromium/"), "Chrome"),
    (("Safari/",), "Safari"),
]
SYSTEMS = [
    (("Windows",), "Windows"),
    (("iPad",), "iPadOS"),
    (("iPhone", "iPod"), "iOS"),
    (("Android",), "Android"),
    (("CrOS",), "ChromeOS"),
    (("Macintosh", "Mac OS X"), "macOS"),
    (("Linux", "X11"), "Linux"),
]


def _first(header: str, table: list[tuple[tuple[str, ...], str]]) -> str | None:
    return next((name for marks, name in table if any(m in header for m in marks)), None)


def browser_name(header: str) -> str | None:
    return _first(header, BROWSERS)


def system_name(header: str) -> str | None:
    return _first(header, SYSTEMS)


def describe(header: str) -> str:
    """「Chrome (Windows)」; just the browser when the system is not known."""
    browser = browser_name(header or "") or gettext("Unknown browser")
    system = system_name(header or "")
    return f"{browser} ({system})" if system else browser
