from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from cases import views as cases_views
from hub import bench_views, views

urlpatterns = [
    path("", cases_views.dashboard, name="home"),
    path("cases/", include("cases.urls")),
    path("healthz", views.healthz, name="healthz"),
    # Pages that do not link our icon (the admin) make browsers ask for this one.
    path("favicon.ico", RedirectView.as_view(url=static("hub/favicon.svg"), permanent=True)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    # The HUB Authenticator: its app under /companion/, its portal pages under /accounts/.
    path("", include("companion.urls")),
    path("admin/", admin.site.urls),
    # Every trainer view answers 404 unless DEMO_MODE is on.
    path("demo/", include("trainer.urls")),
]

if settings.BENCH_VIEWS:
    # `make bench`'s reference view; without the setting the URL does not exist at all.
    urlpatterns.append(path("bench/bare", bench_views.bare, name="bench_bare"))

# Django's own 403 and 404 views find our templates; these two need views of their own
# (hub/errors.py): a 413 for a body too large, and a 500 page that needs no database.
handler400 = "hub.errors.bad_request"
handler500 = "hub.errors.server_error"
