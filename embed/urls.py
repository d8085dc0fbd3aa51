from django.urls import path, re_path

from embed import views

app_name = "embed"
LOOK = r"(?P<look>(?:auto|light|dark)(?:-[0-9a-f]{3}|-[0-9a-f]{6})?)"
urlpatterns = [
    path("embed/thread/", views.thread, name="thread"),
    path("embed/go/", views.go, name="go"),
    path("embed/counts/", views.counts, name="counts"),
    re_path(rf"^embed/(?P<page_id>[0-9]+)/{LOOK}/$", views.frame, name="frame"),
    re_path(rf"^embed/(?P<page_id>[0-9]+)/{LOOK}/post/$", views.post, name="post"),
    re_path(rf"^embed/(?P<page_id>[0-9]+)/{LOOK}/edit/(?P<pk>[0-9]+)/$", views.edit, name="edit"),
    re_path(
        rf"^embed/(?P<page_id>[0-9]+)/{LOOK}/delete/(?P<pk>[0-9]+)/$", views.delete, name="delete"
    ),
]
