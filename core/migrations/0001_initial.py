# The rate limit table moves from comments to core (#25): only Django's state moves, the
# table keeps its name and rows.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("comments", "0020_moderator_mail_by_default")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateLimit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=200)),
                        ("window_start", models.DateTimeField()),
                        ("count", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "comments_ratelimit",
                        "indexes": [
                            models.Index(fields=["window_start"], name="ratelimit_window_idx")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("key", "window_start"), name="ratelimit_key_window"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
