from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from taxonomy import services
from taxonomy.forms import MergeTagsForm
from taxonomy.models import Category, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "path", "article_count"]
    search_fields = ["name", "slug", "path"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fields = ["name", "slug", "parent", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_total")
    def article_count(self, category):
        return category.article_total

    def save_model(self, request, obj, form, change):
        old = Category.objects.get(pk=obj.pk).get_absolute_url() if change else ""
        super().save_model(request, obj, form, change)
        services.renamed(obj, old)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description"]
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_total")
    def article_count(self, tag):
        return tag.article_total

    def save_model(self, request, obj, form, change):
        old = Tag.objects.get(pk=obj.pk).get_absolute_url() if change else ""
        super().save_model(request, obj, form, change)
        services.renamed(obj, old)

    @admin.action(description=_("Merge into…"), permissions=["change"])
    def merge_tags(self, request, queryset):
        """Ask which tag the selected ones become, then merge them (``services.merge_tags``)."""
        form = MergeTagsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                count = services.merge_tags(list(queryset), into=form.cleaned_data["into"])
            except ValidationError as error:
                form.add_error("into", error)
            else:
                text = ngettext("%(count)d tag was merged into “%(into)s”.",
                                "%(count)d tags were merged into “%(into)s”.", count)  # fmt: skip
                into = form.cleaned_data["into"]
                self.message_user(request, text % {"count": count, "into": into}, messages.SUCCESS)
                return None
        context = {
            **self.admin_site.each_context(request), "title": _("Merge tags"), "form": form,
            "tags": queryset, "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }  # fmt: skip
        return TemplateResponse(request, "taxonomy/merge_tags.html", context)
