"""Remember the request being served, so that services can record where a change came from
without every service taking the request as an argument (the way django-auditlog does it)."""

from contextvars import ContextVar

_request: ContextVar = ContextVar("audit_request", default=None)


def current_request():
    """The request this thread or task is serving, or None (management commands, shell)."""
    return _request.get()


class AuditRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
