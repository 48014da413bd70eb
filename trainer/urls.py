from django.urls import path

from trainer import views

app_name = "trainer"

urlpatterns = [
    path("join/<str:key>/", views.join, name="join"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:email_id>/", views.outbox_email, name="outbox_email"),
    path("authenticator/", views.authenticator, name="authenticator"),
    path("authenticator/code/", views.authenticator_code, name="authenticator_code"),
    path("tour/", views.tour_toggle, name="tour_toggle"),
]
