"""Customer and operator text turned into HTML once, when it is written.

`urlize` is the costliest filter a thread page would run (60 % of an admin page of 1,000
messages), so a message, and a case's description, keep their HTML beside their text and pages
only print it.
"""

from django.template import defaultfilters
from django.utils.safestring import SafeString


def message_html(text: str) -> SafeString:
    """Escaped text with links made clickable and line breaks kept, as the pages show it."""
    linked = defaultfilters.urlize(text, autoescape=True)
    return defaultfilters.linebreaksbr(linked, autoescape=True)


def stored_html(html: str, text: str) -> SafeString:
    """The HTML kept beside `text` (made by message_html when it was written), to print as is.
    A row written around that (a bulk insert) has none; its HTML is made here, at each view."""
    # Safe: only message_html fills these columns, and their fields are not editable.
    return SafeString(html) if html else message_html(text)
