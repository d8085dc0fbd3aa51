from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
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
        else:
            obj.secret = services.issue_token(obj)

    def response_add(self, request, obj, post_url_continue=None):
        """The secret, on the page that answers the form: never in a message (stored in a
        cookie or the session until shown), never again afterwards."""
        context = {
            **self.admin_site.each_context(request), "token": obj, "secret": obj.secret,
            "back": reverse("admin:api_apitoken_changelist"), "title": "API token",
        }  # fmt: skip
        response = TemplateResponse(request, "api/token_secret.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        n = services.revoke(queryset)
        self.message_user(
            request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", n) % {"n": n}
        )
