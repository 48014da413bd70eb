"""Writing the audit trail. Rows are created in the caller's transaction, so a change that is
rolled back leaves no event behind; sign-in failures and lock-outs have no transaction to join
and are kept as they happen."""

from django.contrib.contenttypes.models import ContentType

from accounts.throttle import client_ip
from audit.actions import Action
from audit.middleware import current_request
from audit.models import AuditEvent

USER_AGENT_MAX = AuditEvent._meta.get_field("user_agent").max_length
LABEL_MAX = AuditEvent._meta.get_field("subject_label").max_length
# Details are for people reading the trail later: a key that sounds like a secret is refused
# outright rather than trusted to hold something harmless.
SECRET_WORDS = ("password", "code", "token", "secret", "phrase", "key", "hash")


class _RequestUser:
    def __repr__(self):
        return "the signed-in user of the request"


REQUEST_USER = _RequestUser()


def subject_label(subject) -> str:
    """A case by its number, a person or an invitation by email, anything else as text."""
    label = getattr(subject, "number", None) or getattr(subject, "email", None) or str(subject)
    return str(label)[:LABEL_MAX]


def record(
    action: Action,
    *,
    actor=REQUEST_USER,
    actor_email: str = "",
    request=None,
    subject=None,
    **details,
) -> AuditEvent:
    """Record one event. `actor` defaults to the signed-in user of the request; pass None for
    nobody (a command) or the user in question before they are signed in. `request` defaults
    to the request being served. `details` must be JSON and must never hold a secret."""
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    for name in details:
        if any(word in name.lower() for word in SECRET_WORDS):
            raise ValueError(f"Audit details must not hold secrets ({name!r}).")
    request = request if request is not None else current_request()
    if actor is REQUEST_USER:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=(actor.email if actor is not None else actor_email)[:254],
        client_ip=client_ip(request) if request is not None else None,
        user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX] if request else "",
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        subject_label=subject_label(subject) if subject is not None else "",
        details=details,
    )
