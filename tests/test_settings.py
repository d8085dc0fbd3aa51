"""Settings come from the environment, and production refuses to start half-configured."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from forum.settings import _cache, _email, env_bool, env_list

PRODUCTION = {
    "DATABASE_URL": "postgres://forum:s3cret@db.internal:6432/forum_prod",
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "forum.example.com,www.forum.example.com",
}


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly this environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    code = (
        "import json; from forum import settings as s; print(json.dumps("
        "{'db': s.DATABASES['default'], 'hosts': s.ALLOWED_HOSTS, 'debug': s.DEBUG}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
        cwd=settings.BASE_DIR,
    )  # fmt: skip


def test_database_url_selects_an_external_postgresql():
    done = load_settings(**PRODUCTION)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    db = loaded["db"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.internal", 6432, "forum_prod")
    assert (db["USER"], db["PASSWORD"]) == ("forum", "s3cret")
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is True
    assert loaded["hosts"] == ["forum.example.com", "www.forum.example.com"]
    assert loaded["debug"] is False


def test_missing_secret_key_in_production_fails_with_a_clear_message():
    env = {**PRODUCTION}
    del env["DJANGO_SECRET_KEY"]
    done = load_settings(**env)
    assert done.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in done.stderr


def test_missing_allowed_hosts_in_production_fails_with_a_clear_message():
    env = {**PRODUCTION}
    del env["DJANGO_ALLOWED_HOSTS"]
    done = load_settings(**env)
    assert done.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in done.stderr


def test_the_demo_on_the_embedded_database_needs_no_secret():
    done = load_settings()
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert loaded["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["hosts"] == ["127.0.0.1", "localhost", "[::1]"]


def test_env_helpers_read_booleans_and_comma_separated_lists(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_bool("FLAG") is True
    assert env_bool("UNSET_FLAG", default=True) is True
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_tests_run_on_postgresql(db):
    from django.db import connection

    assert connection.vendor == "postgresql"


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("locmem://", "locmem.LocMemCache", ""),
        ("db://", "db.DatabaseCache", "forum_cache"),
        ("redis://cache.internal:6379/0", "redis.RedisCache", "redis://cache.internal:6379/0"),
        ("memcached://cache.internal:11211", "memcached.PyMemcacheCache", "cache.internal:11211"),
    ],
)
def test_cache_url_selects_the_shared_cache_of_several_app_servers(url, backend, location):
    cache = _cache(url)
    assert cache == {"BACKEND": f"django.core.cache.backends.{backend}", "LOCATION": location}
    backend = import_string(cache["BACKEND"])(location, {})
    if hasattr(backend, "_cache"):  # its client library is installed; nothing connects yet
        assert backend._cache is not None


def test_an_unknown_cache_url_fails_with_a_clear_message():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL scheme 'mongo'"):
        _cache("mongo://db")


def test_importing_the_settings_starts_no_database_server():
    """The embedded PostgreSQL starts where a process connects, never on import (#11)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    code = (
        "import sys; from forum import database\n"
        "database._running = lambda data_dir: None  # as on a machine where it is stopped\n"
        "database._start = lambda data_dir: sys.exit('the settings started the database')\n"
        "from forum import settings as s\n"
        "print(s.DATABASES['default']['HOST'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=base, capture_output=True, text=True,
        cwd=settings.BASE_DIR,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("/")  # the socket directory it will listen on


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "smtp://mailer:p%40ss@mail.example:587",
            {"EMAIL_HOST": "mail.example", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "mailer",
             "EMAIL_HOST_PASSWORD": "p@ss", "EMAIL_USE_TLS": True},
        ),
        ("smtp://mail.example:25", {"EMAIL_PORT": 25, "EMAIL_USE_TLS": False}),
        ("smtp://127.0.0.1:8025", {"EMAIL_PORT": 8025, "EMAIL_USE_TLS": False}),
        ("smtps://mail.example", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True,
                                  "EMAIL_USE_TLS": False}),
    ],
)  # fmt: skip
def test_email_url_selects_the_mail_server(url, expected):
    email = _email(url)
    assert email.items() >= expected.items()
    if url != "console://":
        assert email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
