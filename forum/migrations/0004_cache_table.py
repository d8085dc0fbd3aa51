"""The PostgreSQL table behind the default cache when CACHE_URL is unset (#23): allauth's rate
limits must count across every worker and server, so `migrate` alone prepares a deploy."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("forum", "0003_article_moved")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
