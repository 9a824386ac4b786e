from django.urls import path

from oms.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.search, name="search"),
    path("review/", views.review, name="review"),
    path("review/count/", views.review_badge, name="review-count"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
    path("<str:number>/cancel-lines/", views.cancel_lines, name="cancel-lines"),
    path("<str:number>/notes/", views.note, name="note"),
    path("<str:number>/refund/", views.refund, name="refund"),
    path("<str:number>/retry-capture/", views.retry_payment_capture, name="retry-capture"),
    path("<str:number>/release/", views.release, name="release"),
    path("<str:number>/review-cancel/", views.review_cancel, name="review-cancel"),
]
