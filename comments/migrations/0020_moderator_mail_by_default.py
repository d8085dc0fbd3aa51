"""Moderators are mailed about each held comment by default (issue #26); a site that has its
Discussion settings already keeps its choice."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0019_comments_per_page"),
    ]

    operations = [
        migrations.AlterField(
            model_name="discussionsettings",
            name="moderator_mail",
            field=models.CharField(
                choices=[
                    ("off", "No mail"),
                    ("each", "A mail for each held comment"),
                    ("daily", "One daily digest of the comments waiting"),
                ],
                default="each",
                help_text="Superusers and members of the Moderators group, unless they switched it off.",
                max_length=10,
                verbose_name="mail to moderators",
            ),
        ),
    ]
