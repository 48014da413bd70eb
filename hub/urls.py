from django.contrib import admin
from django.urls import include, path

from hub import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
