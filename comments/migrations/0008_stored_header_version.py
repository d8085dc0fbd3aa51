"""Headers are rendered from templates/jinja2/comments/_comment.html and stored with the markup
version they were rendered at (#11): every existing comment's header is rendered again here, so
no page shows the old markup and no page has to write one."""

from django.db import migrations, models


def render_headers(apps, schema_editor):
    from comments.markup import store_headers

    store_headers(apps.get_model("comments", "Comment").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_article_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="markup_version",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(render_headers, migrations.RunPython.noop, elidable=True),
    ]
