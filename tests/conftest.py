import os
import shutil

import pytest
from django.core.cache import caches

from forum.database import start_if_embedded

# The tests connect: start the embedded PostgreSQL unless DATABASE_URL names a server (#11).
start_if_embedded()

# Playwright's sync API runs an event loop in the test thread; the ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def database_kind(item):
    """0: in a transaction rolled back at its end; 1: committing (live servers, other processes),
    its tables emptied afterwards; 2: no database."""
    marker = item.get_closest_marker("django_db")
    committing = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(item.fixturenames)
    )
    if committing:
        return 1
    return 0 if marker or "db" in item.fixturenames else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """pytest-django runs the committing tests after the others, since emptying the tables after
    one also empties what migrations wrote (the "Moderators" group, the Discussion settings);
    pytest's own grouping by parametrized fixtures (the browser's) can undo that order, so it is
    applied again here, last. The sort is stable: each group keeps its order."""
    items.sort(key=database_kind)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _unhashed_static_files(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _abuse_rules_off(settings):
    """Flood control, bot traps and lock-outs start off; the tests about them switch them on."""
    settings.DISCUSSION_DEFAULTS = {
        **settings.DISCUSSION_DEFAULTS,
        "flood_seconds": 0,
        "new_author_flood_seconds": 0,
        "min_fill_seconds": 0,
        "login_failure_limit": 0,
    }


@pytest.fixture
def moderator(client):
    """A member of the "Moderators" group, signed in on ``client``."""
    from django.contrib.auth.models import Group

    from tests.factories import make_user

    user = make_user(is_staff=True, email="mod@example.com")
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return user


@pytest.fixture
def rules():
    """Discussion settings without the first-comment hold, so an accepted comment shows at once."""
    from tests.factories import set_rules

    return set_rules(hold_first_comment=False)


@pytest.fixture(autouse=True)
def _empty_cache(request, django_db_blocker):
    """Each test starts with nothing cached, as after a deploy. The default cache is a table of
    the test database (rate limits a server process may have written): a test that uses the
    database finds it empty too."""
    from articles import pages

    caches["discussion"].clear()
    pages.forget()
    uses_database = request.node.get_closest_marker("django_db") or (
        {"db", "transactional_db"} & set(request.fixturenames)
    )
    if uses_database:
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            caches["default"].clear()


@pytest.fixture(autouse=True)
def _versions_read_every_time(settings):
    """Each page view reads the article's versions: a test sees a change at once.
    tests/test_page_cache.py tests the second-old versions of production on its own."""
    settings.PAGE_VERSION_SECONDS = 0


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks plain HTTP, even when DATABASE_URL gives production settings."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def smtpd(settings):
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend delivers to (the tests
    otherwise keep mail in memory)."""
    from tests.outbox import start_smtp_server

    controller, handler = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium; CI sets FORUM_REQUIRE_BROWSER so a missing one fails the run."""
    if not os.path.exists(CHROMIUM):
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("FORUM_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
