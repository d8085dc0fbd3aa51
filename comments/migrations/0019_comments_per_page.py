"""A page budget instead of "replies shown per thread" (#24): small discussions are no longer
folded like huge ones. An upgraded site gets a budget of at least every comment a page of
threads could show before (threads per page × (replies shown + 1)), so no comment it showed
is folded now."""

import django.core.validators
from django.db import migrations, models


def budget_from_replies_shown(apps, schema_editor):
    DiscussionSettings = apps.get_model("comments", "DiscussionSettings")
    for rules in DiscussionSettings.objects.all():
        shown_before = rules.threads_per_page * (rules.replies_shown + 1)
        rules.comments_per_page = max(100, shown_before)
        rules.save(update_fields=["comments_per_page"])


def replies_shown_from_budget(apps, schema_editor):
    DiscussionSettings = apps.get_model("comments", "DiscussionSettings")
    for rules in DiscussionSettings.objects.all():
        per_thread = rules.comments_per_page // max(rules.threads_per_page, 1) - 1
        rules.replies_shown = min(max(per_thread, 0), 1000)
        rules.save(update_fields=["replies_shown"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0018_spam_filter"),
    ]

    operations = [
        migrations.AddField(
            model_name="discussionsettings",
            name="comments_per_page",
            field=models.PositiveIntegerField(
                default=100,
                help_text="A page of threads shows every comment while they number at most "
                "this; past it the largest threads are folded first, behind “N more replies” "
                "(#24).",
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="comments per page",
            ),
        ),
        migrations.RunPython(budget_from_replies_shown, replies_shown_from_budget),
        migrations.RemoveField(model_name="discussionsettings", name="replies_shown"),
    ]
