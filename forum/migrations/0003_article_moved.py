"""Article lives in the articles app now (#11): forget it here, keep its table (renamed there)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_article_moved"),
        ("forum", "0002_comment_counts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Article")],
        ),
    ]
