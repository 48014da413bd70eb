"""Views that exist only for `make bench` (BENCH_VIEWS=1; hub/urls.py adds them)."""

from django.http import HttpResponse


def bare(request):
    """The reference of every ratio in docs/benchmarks.md: the full middleware stack around a
    view that does nothing."""
    return HttpResponse(b"ok")
