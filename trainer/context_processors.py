from django.conf import settings
from django.utils.functional import SimpleLazyObject


def trainer(request):
    context = {"DEMO_MODE": settings.DEMO_MODE}
    if settings.DEMO_MODE:
        from trainer.classroom import is_member
        from trainer.views import tour_steps

        context["CLASSROOM"] = is_member(request)

        # Lazy: the checklist's queries run only on pages that show it.
        context["tour_steps"] = SimpleLazyObject(lambda: tour_steps(request) or [])
    return context
