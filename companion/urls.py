"""Included at the site's root: the app and its API under /companion/, and the portal pages
at the /accounts/ addresses they have always had."""

from django.urls import path

from companion import api, views

app_name = "companion"

urlpatterns = [
    path("companion/", api.app, name="app"),
    path("companion/manifest.webmanifest", api.manifest, name="manifest"),
    path("companion/sw.js", api.service_worker, name="service_worker"),
    path("companion/api/enroll", api.enroll, name="enroll"),
    path("companion/api/state", api.state, name="state"),
    path("companion/api/confirm", api.confirm, name="confirm"),
    path("companion/api/answer", api.answer, name="answer"),
    path("accounts/login/approve/", views.approve, name="approve"),
    path("accounts/login/approval/", views.approval_status, name="approval_status"),
    path("accounts/two-factor/companion/", views.pair, name="pair"),
    path("accounts/two-factor/companion/wait/", views.pair_wait, name="pair_wait"),
    path("accounts/profile/companion/<int:device_id>/", views.manage, name="manage"),
]
