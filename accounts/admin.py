from django.contrib import admin

from accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "website"]
    search_fields = ["user__username", "user__email", "website", "bio"]
    fields = ["user", "website", "bio"]
    readonly_fields = ["user"]

    def has_add_permission(self, request):
        return False  # members make their own
