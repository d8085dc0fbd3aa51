from django.urls import path, re_path

from embed import signin_views, views

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
    # Members sign in through a popup (embed.signins). The popup's page is not under /embed/:
    # it is forum's own, first-party, and its cookies are not partitioned.
    re_path(rf"^embed/(?P<page_id>[0-9]+)/{LOOK}/signin/$", signin_views.sign_in, name="sign_in"),
    re_path(
        rf"^embed/(?P<page_id>[0-9]+)/{LOOK}/signin/finish/$", signin_views.finish, name="finish"
    ),
    re_path(
        rf"^embed/(?P<page_id>[0-9]+)/{LOOK}/signout/$", signin_views.sign_out, name="sign_out"
    ),
    re_path(r"^embed-signin/(?P<token>[A-Za-z0-9_-]{32})/$", signin_views.approve, name="approve"),
]
