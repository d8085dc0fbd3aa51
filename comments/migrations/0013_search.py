"""Full-text search (issue #15): a trigger keeps each comment's vector right on every write,
posts, edits, erasures and imports alike."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models

TRIGGER = """
CREATE FUNCTION comments_comment_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('forum_search', forum_search_text(NEW.body_html)), 'B') ||
    setweight(to_tsvector('forum_search', coalesce(NEW.author_name, '')), 'C');
  RETURN NEW;
END $$;
CREATE TRIGGER comments_comment_search BEFORE INSERT OR UPDATE OF body_html, author_name
ON comments_comment FOR EACH ROW EXECUTE FUNCTION comments_comment_search();
UPDATE comments_comment SET body_html = body_html;
"""
UNDO = """
DROP TRIGGER comments_comment_search ON comments_comment;
DROP FUNCTION comments_comment_search();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_search"),
        ("comments", "0012_imported_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("status", "approved")),
                fields=["search_vector"],
                name="comment_search_idx",
            ),
        ),
        migrations.RunSQL(TRIGGER, UNDO),
    ]
