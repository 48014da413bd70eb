from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage


def portal(request):
    # DEMO_MODE is the portal's own setting: its pages may offer conveniences for a class (a link
    # to open the HUB Authenticator in a second window). What trainer mode itself shows comes
    # from its own context processor, through the templates' page_slots.
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        # Changes with every collectstatic that changes a file: the key of the layout's cached
        # links to them, so that no cache (a shared one included) serves links to old files.
        "STATIC_VERSION": getattr(staticfiles_storage, "manifest_hash", ""),
    }
