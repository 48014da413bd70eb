"""Who may see the trainer's outbox and on-screen authenticator.

Classrooms serve `make run` on a LAN, so trainer pages are exposed to everyone on it. Two rules
keep them from handing out accounts:

- Only demo accounts (`is_demo`, set by the `demo` command alone, never by a form or the admin)
  ever have their mail or codes shown; a real account never does, whatever mode is on.
- Only a visitor who opened the trainer's classroom link sees even those. The link carries a
  key derived from SECRET_KEY (printed by `make run`); opening it sets a signed cookie that
  outlives sign-out, because the guide's journey signs in and out several times.
"""

from django.conf import settings
from django.db.models import Q
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import Invitation, User
from hub.models import OutboundEmail

COOKIE_NAME = "hub_classroom"
COOKIE_SALT = "trainer.classroom"
# A class day; the trainer prints the link again for the next one.
COOKIE_MAX_AGE = 12 * 60 * 60


def classroom_key() -> str:
    # 80 bits: unguessable over a LAN, short enough to type from a projector.
    return salted_hmac(COOKIE_SALT, "classroom key", algorithm="sha256").hexdigest()[:20]


def key_matches(candidate: str) -> bool:
    return constant_time_compare(candidate, classroom_key())


def is_member(request) -> bool:
    if not settings.DEMO_MODE:
        return False
    value = request.get_signed_cookie(
        COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE
    )
    return value is not None and key_matches(value)


def admit(response) -> None:
    response.set_signed_cookie(
        COOKIE_NAME,
        classroom_key(),
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def demo_mail():
    """Mail sent in trainer mode to demo accounts and demo invitations only: a real account's
    mail (a password reset of someone invited into a demo company, say) is never shown."""
    return OutboundEmail.objects.filter(demo=True).filter(
        Q(to__in=User.objects.filter(is_demo=True).values("email"))
        | Q(to__in=Invitation.objects.filter(is_demo=True).values("email"))
    )
