import django.db.models.deletion
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, models
from django.utils import timezone

# The backends a session names, now the ones that take the member read with it.
BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": "accounts.sessions.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "accounts.sessions.AuthenticationBackend",
}


def copy_sessions(apps, schema_editor):
    """Every live session of Django's table, with its member: nobody is signed out."""
    Old, New = apps.get_model("sessions", "Session"), apps.get_model("accounts", "Session")
    codec, batch = SessionStore(), []
    for old in Old.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=1000):
        data = codec.decode(old.session_data)
        if not data:  # empty, or signed with another key
            continue
        if data.get(BACKEND_SESSION_KEY) in BACKENDS:
            data[BACKEND_SESSION_KEY] = BACKENDS[data[BACKEND_SESSION_KEY]]
        user_id = data.get(SESSION_KEY)
        batch.append(New(
            session_key=old.session_key, session_data=codec.encode(data),
            expire_date=old.expire_date,
            user_id=int(user_id) if str(user_id).isdigit() else None,
        ))  # fmt: skip
        if len(batch) == 1000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_languages"),
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),  # fmt: skip
        migrations.RunPython(copy_sessions, migrations.RunPython.noop),
    ]
