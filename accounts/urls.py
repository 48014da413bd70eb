from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/verify/", views.two_factor, name="two_factor"),
    path("login/method/", views.two_factor_method, name="two_factor_method"),
    path("two-factor/authenticator/", views.authenticator_setup, name="authenticator_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path(
        "two-factor/recovery-codes/download/",
        views.recovery_codes_download,
        name="recovery_codes_download",
    ),
    path("register/<str:token>/", views.register, name="register"),
    path("terms/", views.terms, name="terms"),
    path("password/reset/", views.password_reset_request, name="password_reset"),
    path(
        "password/reset/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.password_change, name="password_change"),
    path(
        "profile/recovery-codes/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("profile/authenticator/", views.authenticator_replace, name="authenticator_replace"),
]
