"""A session brings its member along (issue #29): the session row names the user it signs in,
so one query reads both; every check Django makes on a session still holds."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Session
from tests.factories import make_article, make_user
from tests.pages import page_of
from tests.test_accounts import sign_in, verified_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
copy_sessions = importlib.import_module("accounts.migrations.0003_sessions").copy_sessions


def signed_in_as(client):
    """The name the article page greets the reader by, or None for a guest."""
    found = re.search(
        r"Commenting as (.+?) \(", page_of(client.get(make_article().get_absolute_url()))
    )
    return found and found[1]


def member_client(**fields):
    client, user = Client(), make_user(**fields)
    client.force_login(user)
    return client, user


def test_signing_in_names_the_member_on_the_session_and_signing_out_removes_it(client, mailoutbox):
    ada = verified_member(client, mailoutbox)
    assert sign_in(client, "ada").status_code == 302

    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.get(user=ada).session_key == cookie
    assert signed_in_as(client) == "ada"
    client.post("/accounts/logout/")
    assert not Session.objects.filter(user=ada).exists()
    assert signed_in_as(client) is None


def test_a_page_reads_the_session_and_its_member_in_one_query():
    client, user = member_client(first_name="Ida")
    article = make_article()
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        page = page_of(client.get(article.get_absolute_url()))
    assert "Commenting as Ida" in page
    sessions = [q["sql"] for q in queries if '"accounts_session"' in q["sql"]]
    assert len(sessions) == 1 and '"auth_user"' in sessions[0]
    assert not [q for q in queries if q["sql"].startswith('SELECT "auth_user"')]


def test_a_password_changed_elsewhere_signs_the_other_browser_out():
    client, user = member_client(first_name="Pat")
    assert signed_in_as(client) == "Pat"
    user.set_password("a brand new passphrase 7")
    user.save()
    assert signed_in_as(client) is None
    assert not Session.objects.filter(user=user).exists()  # flushed


def test_a_deactivated_member_is_signed_out_on_their_next_page():
    client, user = member_client(first_name="Ivo")
    assert signed_in_as(client) == "Ivo"
    user.is_active = False
    user.save()
    assert signed_in_as(client) is None


def test_a_deleted_member_takes_their_sessions_along():
    client, user = member_client(first_name="Del")
    other, _ = member_client(first_name="Stays")
    user.delete()
    assert not Session.objects.filter(user_id=user.pk).exists()
    assert signed_in_as(client) is None
    assert signed_in_as(other) == "Stays"


def test_the_sessions_own_data_not_its_user_column_says_who_is_signed_in():
    client, user = member_client(first_name="Real")
    intruder = make_user(first_name="Intruder")
    Session.objects.filter(user=user).update(user=intruder)
    assert signed_in_as(client) == "Real"


def test_a_session_naming_an_unknown_backend_is_a_guest():
    user = make_user(first_name="Nobody")
    session = Session.get_session_store_class()()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "elsewhere.Backend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})  # fmt: skip
    session.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    "cookie", ['"abcdefgh\\000ijklmnop"', "\u00e9t\u00e9" * 5, "x" * 500, "short"]
)
def test_a_forged_session_cookie_is_a_guest_not_an_error(cookie):
    client = Client(raise_request_exception=False)
    response = client.get(make_article().get_absolute_url(), HTTP_COOKIE=f"sessionid={cookie}")
    assert response.status_code == 200 and "Commenting as" not in page_of(response)


def test_the_sessions_of_djangos_own_table_carry_over_still_signed_in():
    user = make_user(first_name="Old")
    old = db.SessionStore()
    old.update({SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "allauth.account.auth_backends.AuthenticationBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(), "mine": [7]})  # fmt: skip
    old.create()
    gone = db.SessionStore()
    gone["x"] = 1
    gone.set_expiry(timezone.now() - timedelta(days=1))
    gone.create()

    copy_sessions(apps, None)

    carried = Session.objects.get(session_key=old.session_key)
    assert carried.user == user and carried.get_decoded()["mine"] == [7]
    assert not Session.objects.filter(session_key=gone.session_key).exists()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key
    assert signed_in_as(client) == "Old"
