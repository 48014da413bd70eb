from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("new/", views.case_create, name="create"),
    path("<str:number>/", views.case_detail, name="detail"),
]
