from django.contrib import admin
from django.urls import include, path

from cases import views as cases_views
from hub import views

urlpatterns = [
    path("", cases_views.dashboard, name="home"),
    path("cases/", include("cases.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
