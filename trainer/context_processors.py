from django.conf import settings
from django.utils.functional import SimpleLazyObject

from trainer.classroom import is_member
from trainer.views import tour_steps

# What trainer mode adds to portal pages. The portal's templates offer neutral slots and render
# whatever templates a context processor puts in `page_slots` (nothing, when none does):
#   banner     — above the header, on every page (base.html)
#   sidebar    — below the navigation; its presence also shows the sidebar to visitors
#                who are not signed in (includes/sidebar.html, base.html)
#   code_entry — below the form of the pages where a one-time code is typed
#                (accounts/authenticator_setup.html, accounts/two_factor_verify.html)
PAGE_SLOTS = {
    "banner": ["trainer/_ribbon.html"],
    "sidebar": ["trainer/_tour.html"],
    "code_entry": ["trainer/_authenticator_panel.html"],
}


def trainer(request):
    if not settings.DEMO_MODE:
        return {}
    return {
        "page_slots": PAGE_SLOTS,
        "CLASSROOM": is_member(request),
        # Lazy: the checklist's queries run only on pages that show it.
        "tour_steps": SimpleLazyObject(lambda: tour_steps(request) or []),
    }
