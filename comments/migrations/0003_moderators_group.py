"""Create the "Moderators" group: it may view and change comments, and nothing else (issue #4)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_comment", "change_comment"]


def create_group(apps, schema_editor):
    # Permissions are made after migrations run; make them now so the group can hold them.
    app_config = apps.get_app_config("comments")
    app_config.models_module = True  # the migration state's stub has none, which would skip it
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="comments", codename__in=PERMISSIONS)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_moderation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
