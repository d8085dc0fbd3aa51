"""Uploaded pictures are moderated like comments (#28): pending until staff approve them."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from avatars import services
from avatars.models import Avatar


@admin.action(description="Approve selected pictures", permissions=["change"])
def approve(modeladmin, request, queryset):
    n = services.set_status(queryset, Avatar.Status.APPROVED, by=request.user)
    modeladmin.message_user(
        request, ngettext("%d picture approved.", "%d pictures approved.", n) % n
    )


@admin.action(description="Reject selected pictures", permissions=["change"])
def reject(modeladmin, request, queryset):
    n = services.set_status(queryset, Avatar.Status.REJECTED, by=request.user)
    modeladmin.message_user(
        request, ngettext("%d picture rejected.", "%d pictures rejected.", n) % n
    )


@admin.register(Avatar)
class AvatarAdmin(admin.ModelAdmin):
    list_display = ["preview", "user", "kind", "status", "created_at", "fetched_at"]
    list_filter = ["status", "kind"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = [approve, reject]
    fields = ["preview", "user", "kind", "status", "created_at", "fetched_at"]
    readonly_fields = fields

    @admin.display(description="Picture")
    def preview(self, avatar):
        if not avatar.digest:
            return "–"
        url = reverse("admin:avatars_avatar_picture", args=[avatar.pk])
        return format_html('<img src="{}" width="64" height="64" alt="">', url)

    def get_urls(self):
        picture = self.admin_site.admin_view(self.picture)
        return [
            path("<int:pk>/picture/", picture, name="avatars_avatar_picture"),
            *super().get_urls(),
        ]

    def picture(self, request, pk):
        """The bytes of any picture, pending ones too, for staff deciding on them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        avatar = get_object_or_404(Avatar, pk=pk)
        response = HttpResponse(bytes(avatar.image), content_type="image/webp")
        response["Cache-Control"] = "private, no-store"
        return response

    def has_add_permission(self, request):
        return False  # members upload their own; staff decide
