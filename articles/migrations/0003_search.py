"""Full-text search (issue #15): the text search configuration ``forum_search`` (a copy of
``english``; the search app switches it to SEARCH_LANGUAGE after every migrate), a function that
turns stored HTML into text, and a trigger that keeps each article's vector right on every write.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations

CONFIG = r"""
CREATE TEXT SEARCH CONFIGURATION forum_search (COPY = pg_catalog.english);
COMMENT ON TEXT SEARCH CONFIGURATION forum_search IS 'english';
CREATE FUNCTION forum_search_text(html text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(
    replace(replace(replace(replace(replace(replace(
      regexp_replace(coalesce(html, ''), '<[^>]*>', ' ', 'g'),
      '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#x27;', ''''), '&#39;', ''''),
      '&amp;', '&'),
    E'\uE000\uE001', '')
$$;
"""
UNDO_CONFIG = """
DROP FUNCTION forum_search_text(text);
DROP TEXT SEARCH CONFIGURATION forum_search;
"""
TRIGGER = """
CREATE FUNCTION articles_article_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('forum_search', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('forum_search', forum_search_text(NEW.body_html)), 'B');
  RETURN NEW;
END $$;
CREATE TRIGGER articles_article_search BEFORE INSERT OR UPDATE OF title, body_html
ON articles_article FOR EACH ROW EXECUTE FUNCTION articles_article_search();
UPDATE articles_article SET title = title;
"""
UNDO_TRIGGER = """
DROP TRIGGER articles_article_search ON articles_article;
DROP FUNCTION articles_article_search();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_imported_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(CONFIG, UNDO_CONFIG),
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="article_search_idx"
            ),
        ),
        migrations.RunSQL(TRIGGER, UNDO_TRIGGER),
    ]
