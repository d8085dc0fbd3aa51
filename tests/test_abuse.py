"""Anti-abuse on every public write: flood control, bot traps, rate limits, sign-in lock-out."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.forms import SHOWN_AT
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.pages import page_of, submit

pytestmark = pytest.mark.django_db
Status = Comment.Status


def post(
    client, article, body="A thought.", *, email="sam@example.com", ip="198.51.100.7", **extra
):
    """Post the comment form from ``ip``; the answer itself, not the page it redirects to."""
    return submit(
        client, article, follow=False, remote_addr=ip, body=body, author_email=email, **extra
    )


def shown_seconds_ago(seconds):
    return signing.TimestampSigner(salt=SHOWN_AT).sign(str(time.time() - seconds))


# Flood control


def test_a_second_comment_within_the_flood_window_is_refused_with_the_text_kept(client, rules):
    set_rules(flood_seconds=15, new_author_flood_seconds=30)
    article = make_article()
    known = make_comment(make_article(), author_email="sam@example.com")  # a known author: 15 s
    Comment.objects.filter(pk=known.pk).update(created_at=timezone.now() - timedelta(days=1))
    assert post(client, article, "First").status_code == 302

    refused = post(client, article, "Second, too soon")
    page = page_of(refused)
    assert refused.status_code == 429 and refused["Retry-After"] == "15"
    assert "You are commenting too quickly. Please wait 15 more seconds" in page
    assert "Second, too soon" in page  # kept in the form
    assert not Comment.objects.filter(body="Second, too soon").exists()


def test_the_window_applies_per_ip_address_and_per_email(client, rules):
    set_rules(flood_seconds=15, new_author_flood_seconds=15)
    article = make_article()
    assert post(client, article, "one", email="a@example.com", ip="198.51.100.1").status_code == 302
    same_ip = post(client, article, "two", email="b@example.com", ip="198.51.100.1")
    same_email = post(client, article, "three", email="a@example.com", ip="198.51.100.2")
    neither = post(client, article, "four", email="c@example.com", ip="198.51.100.3")
    assert [same_ip.status_code, same_email.status_code, neither.status_code] == [429, 429, 302]


def test_one_ipv6_network_is_one_poster_for_the_flood_window(client, rules):
    set_rules(flood_seconds=15, new_author_flood_seconds=15)
    article = make_article()
    assert (
        post(client, article, "one", email="a@example.com", ip="2001:db8:7:1::1").status_code == 302
    )
    same_64 = post(client, article, "two", email="b@example.com", ip="2001:db8:7:1:abcd::9")
    next_64 = post(client, article, "three", email="c@example.com", ip="2001:db8:7:2::1")
    assert [same_64.status_code, next_64.status_code] == [429, 302]


def test_the_network_size_of_one_ipv6_client_is_a_setting(settings):
    from comments.services import address_key

    assert address_key("2001:db8:7:1:abcd::9") == "2001:db8:7:1::"
    assert address_key("::ffff:198.51.100.4") == "198.51.100.4"
    assert address_key("198.51.100.4") == "198.51.100.4"
    settings.IPV6_PREFIX = 48
    assert address_key("2001:db8:7:1:abcd::9") == "2001:db8:7::"


def test_new_authors_wait_longer_than_authors_with_an_approved_comment(client, rules):
    set_rules(flood_seconds=15, new_author_flood_seconds=30, hold_first_comment=True)
    article = make_article()
    assert post(client, article, "hello", email="new@example.com").status_code == 302
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=20))
    refused = post(client, article, "again", email="new@example.com", ip="198.51.100.99")
    assert refused.status_code == 429 and "Please wait 10 more seconds" in page_of(refused)
    assert refused["Retry-After"] == "10"  # the wait that is left, not a fixed number

    make_comment(article, author_email="known@example.com")
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=20))
    assert (
        post(client, article, "fine", email="known@example.com", ip="198.51.100.98").status_code
        == 302
    )


def test_after_the_window_the_same_poster_may_comment_again(client, rules):
    set_rules(flood_seconds=15, new_author_flood_seconds=15)
    article = make_article()
    post(client, article, "first")
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=16))
    assert post(client, article, "second").status_code == 302


def test_staff_are_exempt_and_zero_turns_the_rule_off(client, rules):
    set_rules(flood_seconds=15, new_author_flood_seconds=30)
    article = make_article()
    client.force_login(make_user(is_staff=True, email="editor@example.com"))
    assert [post(client, article, f"staff {n}").status_code for n in range(3)] == [302] * 3

    set_rules(flood_seconds=0, new_author_flood_seconds=0)
    reader = Client()
    assert [post(reader, article, f"reader {n}").status_code for n in range(3)] == [302] * 3


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_from_one_poster_let_exactly_one_through():
    """The check and the insert hold the poster's lock, across workers and app servers alike."""
    set_rules(hold_first_comment=False, flood_seconds=15, new_author_flood_seconds=30)
    article = make_article()
    start = threading.Barrier(8)

    def attempt(n):
        try:
            start.wait()
            return post(Client(), article, f"burst {n}").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(attempt, range(8)))
    assert codes == [302] + [429] * 7
    assert Comment.objects.filter(article=article).count() == 1


# Bot traps


def test_a_filled_honeypot_is_stored_as_spam_for_moderators_not_shown(client, rules):
    article = make_article()
    response = post(client, article, "Buy cheap watches", homepage="http://spam.example")
    comment = Comment.objects.get()
    assert response.status_code == 302  # the bot is not told
    assert (comment.status, comment.status_reason) == (
        Status.SPAM,
        "spam: the hidden trap field was filled in",
    )
    assert "Buy cheap watches" not in page_of(client.get(article.get_absolute_url()))


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(client, rules):
    page = page_of(client.get(make_article().get_absolute_url()))
    assert '<p class="trap" aria-hidden="true">' in page
    assert 'name="homepage"' in page and 'tabindex="-1"' in page


@pytest.mark.parametrize(
    ("shown_at", "reason"),
    [
        (lambda: shown_seconds_ago(0.5), r"spam: sent 0\.\d s after the form was shown"),
        (lambda: "", "spam: the form's timestamp was missing or forged"),
        (lambda: "1700000000.0:forged", "spam: the form's timestamp was missing or forged"),
    ],
    ids=["too fast", "missing", "forged"],
)
def test_a_form_sent_too_soon_or_without_its_timestamp_is_stored_as_spam(
    client, rules, shown_at, reason
):
    set_rules(min_fill_seconds=3)
    post(client, make_article(), shown_at=shown_at())
    comment = Comment.objects.get()
    assert comment.status == Status.SPAM
    assert re.fullmatch(reason, comment.status_reason)


def test_a_form_filled_in_at_human_speed_is_accepted(client, rules):
    set_rules(min_fill_seconds=3)
    article = make_article()
    page = page_of(client.get(article.get_absolute_url()))
    assert 'name="shown_at"' in page
    assert post(client, article, shown_at=shown_seconds_ago(8)).status_code == 302
    assert Comment.objects.get().status == Status.APPROVED


def test_the_trap_is_off_at_zero(client, rules):
    set_rules(min_fill_seconds=0)
    post(client, make_article(), shown_at="")
    assert Comment.objects.get().status == Status.APPROVED


# Rate limits on previews and reports


def test_previews_are_rate_limited_per_ip_address(client):
    url = reverse("comments:preview")
    codes = [
        client.post(url, {"body": "hi"}, REMOTE_ADDR="203.0.113.5").status_code for _ in range(31)
    ]
    assert codes == [200] * 30 + [429]
    limited = client.post(url, {"body": "hi"}, REMOTE_ADDR="203.0.113.5")
    assert limited.json() == {"error": "Too many requests. Please wait a minute and try again."}
    assert client.post(url, {"body": "hi"}, REMOTE_ADDR="203.0.113.6").status_code == 200


def test_reports_are_rate_limited_per_ip_address(rules):
    article = make_article()
    comments = [make_comment(article) for _ in range(21)]
    codes = [
        Client()
        .post(
            reverse("comments:report", args=[c.pk]), {"reason": "spam"}, REMOTE_ADDR="203.0.113.9"
        )
        .status_code
        for c in comments
    ]
    assert codes == [302] * 20 + [429]


# Admin sign-in


def test_admin_sign_in_locks_out_after_repeated_failures_per_username_and_ip(client, rules):
    set_rules(login_failure_limit=3, login_lockout_minutes=15)
    user = make_user(username="editor", is_staff=True, is_superuser=True)
    user.set_password("the right passphrase")
    user.save()

    def sign_in(password, ip="198.51.100.20"):
        return client.post(
            "/admin/login/", {"username": "editor", "password": password}, REMOTE_ADDR=ip
        )

    assert [sign_in("wrong").status_code for _ in range(3)][:2] == [200, 200]
    locked = sign_in("the right passphrase")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in page_of(locked)
    assert sign_in("the right passphrase", ip="198.51.100.21").status_code == 302  # other IP

    # A superuser sees the lock in the admin.
    admin = Client()
    admin.force_login(make_user(is_staff=True, is_superuser=True))
    attempts = page_of(admin.get("/admin/axes/accessattempt/"))
    assert "editor" in attempts and "198.51.100.20" in attempts


def test_a_locked_account_stays_locked_in_every_spelling_of_its_name_and_address(client, rules):
    set_rules(login_failure_limit=3, login_lockout_minutes=15)
    user = make_user(username="editor", email="Editor@example.com", is_staff=True)
    user.set_password("the right passphrase")
    user.save()
    ip = "198.51.100.30"

    for spelling in ("editor", "EDITOR", "editor@EXAMPLE.com"):  # three spellings, one account
        client.post("/admin/login/", {"username": spelling, "password": "wrong"}, REMOTE_ADDR=ip)

    for spelling in ("Editor", "EDITOR@example.com"):
        admin = client.post(
            "/admin/login/", {"username": spelling, "password": "the right passphrase"},
            REMOTE_ADDR=ip,
        )  # fmt: skip
        assert admin.status_code == 429
        reader = client.post(
            "/accounts/login/", {"login": spelling, "password": "the right passphrase"},
            REMOTE_ADDR=ip,
        )  # fmt: skip
        assert "_auth_user_id" not in client.session and reader.status_code == 429


def test_a_lock_out_covers_the_whole_ipv6_network_of_the_client(client, rules):
    set_rules(login_failure_limit=3, login_lockout_minutes=15)
    user = make_user(username="editor", is_staff=True)
    user.set_password("the right passphrase")
    user.save()

    for n in range(3):
        client.post(
            "/admin/login/", {"username": "editor", "password": "wrong"},
            REMOTE_ADDR=f"2001:db8:3:4::{n + 1}",
        )  # fmt: skip
    same_64 = client.post(
        "/admin/login/", {"username": "editor", "password": "the right passphrase"},
        REMOTE_ADDR="2001:db8:3:4:ffff::1",
    )  # fmt: skip

    assert same_64.status_code == 429


def test_sign_in_lock_out_is_off_at_zero(client, rules):
    set_rules(login_failure_limit=0)
    make_user(username="editor", is_staff=True)
    codes = [
        client.post("/admin/login/", {"username": "editor", "password": "x"}).status_code
        for _ in range(8)
    ]
    assert codes == [200] * 8


def test_every_threshold_is_a_field_of_the_discussion_settings_page(admin_client):
    page = page_of(admin_client.get("/admin/comments/discussionsettings/1/change/"))
    for field in ("flood_seconds", "new_author_flood_seconds", "duplicate_window",
                  "min_fill_seconds", "login_failure_limit", "login_lockout_minutes"):  # fmt: skip
        assert f'name="{field}"' in page
