"""Stored summaries again, with a blank line between the article's paragraphs, headings and list
items, so the front page shows them apart instead of run together (issue #24)."""

from django.db import migrations

from core.markup import excerpt

EXCERPT_WORDS = 50  # articles.models.EXCERPT_WORDS when this was written


def resummarise(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    changed = []
    for article in Article.objects.filter(excerpt__regex=r"^\s*$").only("body_html", "summary"):
        article.summary = excerpt(article.body_html, EXCERPT_WORDS)
        changed.append(article)
    Article.objects.bulk_update(changed, ["summary"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_featured")]

    operations = [migrations.RunPython(resummarise, migrations.RunPython.noop, elidable=True)]
