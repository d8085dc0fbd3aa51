"""Moderators review uploaded pictures as they review comments (#28): view and change them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_avatar", "change_avatar"]


def allow(apps, schema_editor):
    # Permissions are made after migrations run; make them now so the group can hold them.
    app_config = apps.get_app_config("avatars")
    app_config.models_module = True  # the migration state's stub has none, which would skip it
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="avatars", codename__in=PERMISSIONS)
    )


def disallow(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Moderators"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="avatars", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("avatars", "0001_pictures"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(allow, disallow)]
