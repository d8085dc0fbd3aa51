from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # The indexes of pages of threads, each now with what such a page reads (#29): built beside
    # the old ones without blocking writes, then the old ones dropped.
    atomic = False

    dependencies = [
        ("articles", "0007_categories_and_tags"),
        ("comments", "0022_ip_address_label"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="comment",
            index=models.Index(
                condition=models.Q(level=0),
                fields=["article", "created_at", "id"],
                include=["tree_id", "thread_version", "thread_comment_count"],
                name="comment_pages_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="comment",
            index=models.Index(
                condition=models.Q(level=0),
                fields=["article", "-thread_comment_count", "created_at", "id"],
                include=["tree_id", "thread_version"],
                name="comment_pages_size_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="comment",
            index=models.Index(
                condition=models.Q(level=0),
                fields=["article", "-best", "created_at", "id"],
                include=["tree_id", "thread_version", "thread_comment_count"],
                name="comment_pages_best_idx",
            ),
        ),
        RemoveIndexConcurrently(model_name="comment", name="comment_roots_idx"),
        RemoveIndexConcurrently(model_name="comment", name="comment_roots_size_idx"),
        RemoveIndexConcurrently(model_name="comment", name="comment_roots_best_idx"),
    ]
