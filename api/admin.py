from django.contrib import admin, messages
from django.utils.translation import ngettext

from api import services
from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "scope", "prefix", "created_at", "last_used_at", "is_in_force"]
    list_filter = ["scope", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "user__email", "prefix"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # A token's owner and scope are what its secret was handed out for: make a new one.
        extra = ["user", "scope"] if obj is not None else []
        return [*extra, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        secret = services.issue_token(obj)
        messages.warning(
            request,
            f"The secret of “{obj.name}” is {secret} — copy it now: it is shown only this once "
            "and stored only as a hash. Send it as “Authorization: Bearer …”.",
        )

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        n = services.revoke(queryset)
        self.message_user(
            request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", n) % {"n": n}
        )
