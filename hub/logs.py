"""Log records without secrets: one-time links, the classroom key and any other long random path
segment are masked before a line is written, by Django's loggers and gunicorn's alike.

Tokens travel in the path of the links we email (a person can only click a link), so the first
request of each journey carries one; the views swap it for a session-held copy at once, and this
filter keeps that first request line (and any Referer) out of the logs.
"""

import logging
import re

# Our tokens, keys and session ids are URL-safe base64, base32 or hex of 80 bits and more: runs
# of 20 or more such characters, with a digit or both cases in them. Names in messages
# (`accounts_user_email_unique_ci`) have neither; case numbers are 8 digits, static names 12 hex.
RANDOM_RUN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])")
MASK = "[redacted]"


def _mask(match: re.Match) -> str:
    run = match.group(0)
    looks_random = any(c.isdigit() for c in run) or (run.lower() != run and run.upper() != run)
    return MASK if looks_random else run


def redact(text: str) -> str:
    return RANDOM_RUN.sub(_mask, text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
