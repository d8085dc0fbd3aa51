"""Mail to readers (issue #13): when each comment was first shown, and the moderators' mail as
a choice (the old yes/no becomes "each" or "off"). Comments approved before this migration count
as shown when they were posted, so upgrading mails nobody about old comments."""

from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.filter(status="approved").update(shown_at=models.F("created_at"))
    Settings = apps.get_model("comments", "DiscussionSettings")
    Settings.objects.filter(notify_moderators=True).update(moderator_mail="each")


def backwards(apps, schema_editor):
    Settings = apps.get_model("comments", "DiscussionSettings")
    Settings.objects.filter(moderator_mail__in=["each", "daily"]).update(notify_moderators=True)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("comments", "0010_ip_retention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="shown_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="discussionsettings",
            name="follow_batch_minutes",
            field=models.PositiveIntegerField(
                default=15,
                help_text="Followers of an article and its author get one mail for the comments of this many minutes, never one per comment.",
                verbose_name="minutes to gather comments for followers",
            ),
        ),
        migrations.AddField(
            model_name="discussionsettings",
            name="moderator_mail",
            field=models.CharField(
                choices=[
                    ("off", "No mail"),
                    ("each", "A mail for each held comment"),
                    ("daily", "One daily digest of the comments waiting"),
                ],
                default="off",
                help_text="Superusers and members of the Moderators group, unless they switched it off.",
                max_length=10,
                verbose_name="mail to moderators",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["article", "shown_at"], name="comment_shown_idx"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="discussionsettings",
            name="notify_moderators",
        ),
    ]
