from functools import wraps

from django.conf import settings
from django.http import Http404


def demo_mode_required(view):
    """Trainer pages exist only in demo mode: otherwise they answer 404 like any unknown URL."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEMO_MODE:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
