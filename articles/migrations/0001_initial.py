"""Article moves from the forum app to this one (#11), keeping every row, id and URL.

On an existing site the table forum_article is renamed and its content type (and so its
permissions and admin history) relabelled; on a new one forum's migrations create the table first
and the same steps run. Django's state gets the model here; ``forum.0003`` drops it there.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(app_from, app_to):
    def relabel(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects
        if not content_types.filter(app_label=app_to, model="article").exists():
            content_types.filter(app_label=app_from, model="article").update(app_label=app_to)

    return relabel


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("forum", "0002_comment_counts"),
        # Every migration that points at forum_article runs before the table is renamed.
        ("comments", "0006_counts_and_rendered_html"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE forum_article RENAME TO articles_article",
                    reverse_sql="ALTER TABLE articles_article RENAME TO forum_article",
                ),
                migrations.RunPython(
                    relabel_content_type("forum", "articles"),
                    relabel_content_type("articles", "forum"),
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Article",
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
                        ("title", models.CharField(max_length=200)),
                        (
                            "slug",
                            models.SlugField(
                                blank=True,
                                help_text="Made from the title when left blank.",
                                max_length=200,
                                unique=True,
                            ),
                        ),
                        ("body", models.TextField(help_text="Markdown.")),
                        ("body_html", models.TextField(editable=False)),
                        (
                            "excerpt",
                            models.TextField(
                                blank=True,
                                help_text="Shown on the front page; made from the body when left blank.",
                            ),
                        ),
                        ("summary", models.TextField(editable=False)),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "Draft"), ("published", "Published")],
                                default="draft",
                                max_length=10,
                            ),
                        ),
                        (
                            "published_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="Set when first published; a future date schedules it.",
                                null=True,
                            ),
                        ),
                        ("comments_open", models.BooleanField(default=True)),
                        (
                            "comment_count",
                            models.PositiveIntegerField(
                                default=0, editable=False, verbose_name="comments"
                            ),
                        ),
                        ("thread_count", models.PositiveIntegerField(default=0, editable=False)),
                        (
                            "comments_version",
                            models.PositiveBigIntegerField(default=0, editable=False),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="articles",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-published_at", "-created_at"],
                        "indexes": [
                            models.Index(
                                fields=["status", "-published_at"], name="article_published_idx"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
