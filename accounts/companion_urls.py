from django.urls import path

from accounts import companion_views as views

app_name = "companion"

urlpatterns = [
    path("", views.app, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("api/enroll", views.api_enroll, name="enroll"),
    path("api/state", views.api_state, name="state"),
    path("api/confirm", views.api_confirm, name="confirm"),
    path("api/answer", views.api_answer, name="answer"),
]
