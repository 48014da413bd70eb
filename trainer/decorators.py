from functools import wraps

from django.conf import settings
from django.http import Http404

from trainer import classroom


def demo_mode_required(view):
    """Trainer pages exist only in demo mode: otherwise they answer 404 like any unknown URL."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEMO_MODE:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def classroom_required(view):
    """Pages that show mail or codes: demo mode, and a visitor who joined the classroom. Others
    get the same 404 as anyone when demo mode is off, so the pages cannot even be found."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not classroom.is_member(request):
            raise Http404
        return view(request, *args, **kwargs)

    return demo_mode_required(wrapped)
