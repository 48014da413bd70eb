from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def company_member_required(view):
    """Customer pages: a signed-in contact of a customer company. Operators work in the admin."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.company_id is None:
            return render(request, "cases/operators_elsewhere.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped
