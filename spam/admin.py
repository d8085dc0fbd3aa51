"""The filter's figures in the admin (#26): the model in use, what it learned from, how often
moderators overrode it, and a warning when the stored model cannot be used."""

from django.contrib import admin, messages

from spam import services
from spam.models import TrainedModel


@admin.register(TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    list_display = ["__str__", "spam_examples", "good_examples", "trusted", "seconds"]
    fields = readonly_fields = ["trained_at", "spam_examples", "good_examples", "trusted",
                                "seconds"]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request):
        return False  # trained by the worker or `manage.py train_spam`

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        f = services.figures()
        if f["error"]:
            self.message_user(
                request, f"The spam filter is not in use, the posting rules decide alone: "
                f"{f['error']}. Run `manage.py train_spam`.", messages.WARNING,
            )  # fmt: skip
        elif f["model"] is None:
            self.message_user(request, "The spam filter has not been trained yet: the posting "
                              "rules decide alone.", messages.WARNING)  # fmt: skip
        else:
            m = f["model"]
            mode = "marks spam" if m.trusted else "only holds (too few examples to mark spam)"
            self.message_user(request, f"Learned from {m.spam_examples} spam and "
                              f"{m.good_examples} good comments, last trained "
                              f"{m.trained_at:%Y-%m-%d %H:%M}; it {mode}.")  # fmt: skip
        self.message_user(
            request, f"Last {f['days']} days: {f['scored']} comments scored; moderators rescued "
            f"{f['rescued']} false positives and marked {f['let_through']} comments as spam "
            "that it had let through.",
        )  # fmt: skip
        return super().changelist_view(request, extra_context)
