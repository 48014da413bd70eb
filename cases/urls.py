from django.urls import path

from cases import preview_views, views

app_name = "cases"

urlpatterns = [
    path("new/", views.case_create, name="create"),
    path("new/products/", views.product_suggestions, name="product_suggestions"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/chatter/older/", views.chatter_older, name="chatter_older"),
    path("<str:number>/chatter/updates/", views.chatter_updates, name="chatter_updates"),
    path("<str:number>/chatter/post/", views.chatter_post, name="chatter_post"),
    path("<str:number>/attachments/", views.attachments_upload, name="attachments_upload"),
    path(
        "<str:number>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<str:number>/attachments/<int:attachment_id>/thumbnail/",
        preview_views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
    path(
        "<str:number>/attachments/<int:attachment_id>/preview/",
        preview_views.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "<str:number>/attachments/<int:attachment_id>/preview/image/",
        preview_views.attachment_preview_image,
        name="attachment_preview_image",
    ),
    path(
        "<str:number>/attachments/<int:attachment_id>/preview/state/",
        preview_views.attachment_preview_state,
        name="attachment_preview_state",
    ),
    path("<str:number>/follow-up/", views.case_follow_up, name="follow_up"),
]
