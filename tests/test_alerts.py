"""Alerts to moderators by webhook and chat (issue #26), sent to a receiver on 127.0.0.1."""

import base64
import hashlib
import hmac
import json
import re
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Attempt, Delivery, Endpoint
from comments import hooks
from comments.models import Comment, DiscussionSettings, ModerationLog
from comments.services import report_comment, reporter_of
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.outbox import run_tasks, sent

SECRET = "whsec_" + base64.b64encode(b"a secret of twenty-four!").decode()
EMAIL, IP = "ada@example.com", "203.0.113.7"


class Receiver:
    """What the endpoint on the loopback was sent; ``codes``: its next answers (then 200)."""

    def __init__(self):
        self.requests, self.codes = [], []

    def json(self, n=-1):
        return json.loads(self.requests[n]["body"])


@pytest.fixture
def receiver():
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.requests.append(
                {"method": self.command, "path": self.path, "headers": self.headers, "body": body}
            )
            self.send_response(received.codes.pop(0) if received.codes else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        do_PUT = do_POST

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    received.url = f"http://127.0.0.1:{server.server_port}"
    yield received
    server.shutdown()
    server.server_close()


def endpoint(receiver, kind="webhook", events=("held", "spam", "report"), **fields):
    fields = {"secret": SECRET if kind == "webhook" else "", **fields}
    return Endpoint.objects.create(
        name=kind, kind=kind, url=receiver.url + fields.pop("path", "/hook"), events=list(events),
        **fields,
    )  # fmt: skip


def held_comment(**fields):
    """A first comment, so it is held (the default rules), with a writer's email and IP."""
    fields = {
        "author_email": EMAIL,
        "ip_address": IP,
        "body": "Hello <!channel> @everyone",
        **fields,
    }
    return make_comment(make_article(), status=Comment.Status.PENDING, **fields)


def links_in(text):
    return re.findall(r"http://[^\s\"<>|)]+/alerts/moderate/[^\s\"<>|)]+", text)


def test_generic_json_is_signed_per_standard_webhooks(db, receiver):
    endpoint(receiver)
    comment = held_comment()
    run_tasks()
    [sent] = receiver.requests
    headers, body = sent["headers"], sent["body"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert headers["webhook-id"].startswith("msg_")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 300  # the scheme's tolerance
    payload = json.loads(body)
    assert payload["type"] == "comment.held"
    assert payload["data"]["comment"]["id"] == comment.pk
    assert set(payload["data"]["links"]) == {"review", "approve", "spam"}
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_blank_webhook_secret_is_made_and_a_wrong_one_refused(db, receiver):
    made = endpoint(receiver, secret="")
    assert made.secret.startswith("whsec_") and len(base64.b64decode(made.secret[6:])) == 24
    wrong = Endpoint(name="x", kind="webhook", url=receiver.url, secret="whsec_not base64!")
    with pytest.raises(Exception, match="base64"):
        wrong.full_clean()


def test_slack_gets_text_and_blocks_with_escaped_user_text(db, receiver):
    endpoint(receiver, "slack")
    held_comment()
    run_tasks()
    payload = receiver.json()
    assert "&lt;!channel&gt;" in payload["text"] and "<!channel>" not in payload["text"]
    section, actions = payload["blocks"]
    assert section["type"] == "section" and "Comment held" in section["text"]["text"]
    assert [b["text"]["text"] for b in actions["elements"]] == ["Review", "Approve", "Mark as spam"]


def test_discord_gets_content_that_pings_nobody(db, receiver):
    endpoint(receiver, "discord")
    held_comment()
    run_tasks()
    payload = receiver.json()
    assert "@everyone" in payload["content"] and payload["allowed_mentions"] == {"parse": []}
    assert len(links_in(payload["content"])) == 2


def test_matrix_gets_a_message_put_in_the_room_with_the_token(db, receiver):
    endpoint(receiver, "matrix", path="", secret="syt_token", target="!room:example.org")
    held_comment()
    run_tasks()
    [sent] = receiver.requests
    txn = Delivery.objects.get().message_id
    assert sent["method"] == "PUT"
    assert (
        sent["path"] == f"/_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/{txn}"
    )
    assert sent["headers"]["Authorization"] == "Bearer syt_token"
    payload = receiver.json()
    assert payload["msgtype"] == "m.text" and "Comment held" in payload["body"]


def test_telegram_gets_send_message_with_the_chat_id(db, receiver):
    endpoint(receiver, "telegram", path="", secret="123:abc", target="-100200")
    held_comment()
    run_tasks()
    [sent] = receiver.requests
    assert sent["path"] == "/bot123:abc/sendMessage"
    payload = receiver.json()
    assert payload["chat_id"] == "-100200" and "parse_mode" not in payload
    assert len(links_in(payload["text"])) == 2


@pytest.mark.parametrize("kind", ["webhook", "slack", "discord", "matrix", "telegram"])
def test_no_email_or_ip_address_unless_the_endpoint_is_internal(db, receiver, kind):
    extra = {"secret": "t", "target": "!r:x"} if kind in ("matrix", "telegram") else {}
    endpoint(receiver, kind, **extra)
    endpoint(receiver, kind, is_internal=True, **extra)
    held_comment()
    run_tasks()
    public, internal = (r["body"].decode() for r in receiver.requests)
    assert EMAIL not in public and IP not in public
    assert EMAIL in internal and IP in internal


def test_a_failed_delivery_is_retried_after_a_delay(db, receiver, settings):
    settings.ALERT_RETRY_DELAYS = [30, 120]
    endpoint(receiver)
    receiver.codes = [503]
    held_comment()
    run_tasks(rounds=1)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.QUEUED and delivery.attempts == 1
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)
    run_tasks()  # the retry, run now
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert [(a.response_code, a.is_ok) for a in delivery.tries.order_by("at", "pk")] == [
        (503, False), (200, True),
    ]  # fmt: skip
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1


def test_retries_stop_after_the_last_delay_and_a_4xx_is_not_retried(db, receiver, settings):
    settings.ALERT_RETRY_DELAYS = [30, 120]
    endpoint(receiver)
    receiver.codes = [500, 500, 500, 500]
    held_comment()
    run_tasks()
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    assert Attempt.objects.count() == 3  # the first and one per delay
    receiver.codes = [404]
    held_comment()
    run_tasks()
    assert Attempt.objects.filter(response_code=404).count() == 1
    assert "HTTP 404" in Attempt.objects.get(response_code=404).error


def test_an_endpoint_that_does_not_answer_in_time_fails_the_attempt(db, settings):
    settings.ALERT_TIMEOUT = 0.2
    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        Endpoint.objects.create(name="slow", kind="slack", url=url, events=["held"])
        held_comment()
        run_tasks(rounds=1)
    attempt = Attempt.objects.get()
    assert attempt.response_code is None and "timed out" in attempt.error
    assert Delivery.objects.get().status == Delivery.Status.QUEUED  # to be retried


def test_an_endpoint_is_switched_off_after_failures_in_a_row(db, receiver, settings, admin_client):
    settings.ALERT_DISABLE_AFTER, settings.ALERT_RETRY_DELAYS = 3, [30, 30, 30, 30]
    hook = endpoint(receiver)
    receiver.codes = [500] * 10
    held_comment()
    run_tasks()
    hook.refresh_from_db()
    assert not hook.is_enabled and hook.failures == 3
    assert (
        "3 failed attempts in a row" in hook.disabled_reason and "HTTP 500" in hook.disabled_reason
    )
    assert len(receiver.requests) == 3
    held_comment()
    assert Delivery.objects.count() == 1  # a switched-off endpoint is sent nothing
    page = admin_client.get(reverse("admin:alerts_endpoint_change", args=[hook.pk])).content
    assert b"3 failed attempts in a row" in page
    admin_client.post(
        reverse("admin:alerts_endpoint_changelist"),
        {"action": "switch_on", "_selected_action": [hook.pk]},
    )
    hook.refresh_from_db()
    assert hook.is_enabled and hook.failures == 0 and hook.disabled_reason == ""


def test_the_admin_sends_a_test_message_to_the_chosen_endpoints(db, receiver, admin_client):
    chosen = endpoint(receiver, "discord", events=[])
    endpoint(receiver, "slack")
    changelist = reverse("admin:alerts_endpoint_changelist")
    admin_client.post(changelist, {"action": "send_test", "_selected_action": [chosen.pk]})
    run_tasks()
    [payload] = [json.loads(r["body"]) for r in receiver.requests]
    assert payload["content"].startswith("Test message")
    assert chosen.attempts.get().is_ok


def test_the_admin_shows_endpoints_deliveries_and_last_attempts(db, receiver, admin_client):
    hook = endpoint(receiver)
    receiver.codes = [502]
    held_comment()
    run_tasks()
    pages = [
        reverse("admin:alerts_endpoint_changelist"),
        reverse("admin:alerts_endpoint_change", args=[hook.pk]),
        reverse("admin:alerts_delivery_changelist"),
        reverse("admin:alerts_delivery_change", args=[Delivery.objects.get().pk]),
        reverse("admin:alerts_endpoint_add"),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url
    change = admin_client.get(pages[1]).content.decode()
    assert "HTTP 502 Bad Gateway" in change and "Last 20 attempts" in change


def approve_and_spam_links(receiver):
    """The paths of the links in the last generic JSON payload."""
    links = receiver.json()["data"]["links"]
    return [links[a].removeprefix(settings.SITE_URL) for a in ("approve", "spam")]


def test_the_approve_link_opens_a_page_and_only_its_post_approves(db, receiver, client):
    endpoint(receiver)
    comment = held_comment()
    run_tasks()
    approve, _ = approve_and_spam_links(receiver)
    page = client.get(approve)
    assert page.status_code == 200 and b"Approve" in page.content
    assert b'<meta name="robots" content="noindex">' in page.content
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # a link previewer moderates nothing
    assert b"is approved" in client.post(approve).content
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert ModerationLog.objects.get(comment=comment).reason == "approved from a chat link"


def test_the_spam_link_marks_spam_and_a_used_link_is_refused(db, receiver, client):
    endpoint(receiver)
    comment = held_comment()
    run_tasks()
    approve, spam = approve_and_spam_links(receiver)
    client.post(spam)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    # The approve link was made for a held comment: it cannot undo the spam decision.
    assert client.post(approve).status_code == 400
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_expired_forged_and_mangled_links_are_refused(db, receiver, client):
    endpoint(receiver)
    comment = held_comment()
    run_tasks()
    approve, _ = approve_and_spam_links(receiver)
    later = time.time() + 25 * 3600
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.post(approve).status_code == 400
    token = approve.rstrip("/").rsplit("/", 1)[1]
    forged = reverse("alerts:moderate", args=[token[:-3] + "abc"])
    for url in (forged, reverse("alerts:moderate", args=["nonsense"]), approve[:-10] + "/"):
        assert client.post(url).status_code == 400
        assert client.get(url).status_code == 400
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_report_alerts_with_its_reason(db, receiver):
    endpoint(receiver, events=["report"])
    comment = make_comment(make_article())
    reporter = reporter_of(ip_address=IP)
    report_comment(comment, reporter=reporter, reason="abuse", text="rude", ip_address=IP)
    run_tasks()
    payload = receiver.json()
    assert payload["type"] == "comment.report"
    assert payload["data"]["report"] == {"reason": "abuse", "text": "rude"}
    assert set(payload["data"]["links"]) == {"review", "spam"}


def test_a_comment_held_by_reports_gets_links_that_work(db, receiver, client):
    set_rules(reports_to_hold=1, hold_first_comment=False)
    endpoint(receiver, events=["held"])
    comment = make_comment(make_article())
    report_comment(comment, reporter=reporter_of(user=make_user()), reason="spam", ip_address=IP)
    run_tasks()
    approve, _ = approve_and_spam_links(receiver)
    assert client.post(approve).status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_the_spam_event_offers_to_approve(db, receiver):
    endpoint(receiver, "slack", events=["spam"])
    comment = make_comment(make_article(), status=Comment.Status.SPAM)
    services.event("spam", comment=comment)
    run_tasks()
    payload = receiver.json()
    assert "marked as spam by the filter" in payload["text"]
    assert [b["text"]["text"] for b in payload["blocks"][1]["elements"]] == ["Review", "Approve"]


def test_a_comment_the_filter_stores_as_spam_alerts(db, receiver, monkeypatch):
    endpoint(receiver, events=["spam"])
    monkeypatch.setattr(hooks, "scorers", [lambda comment: hooks.Verdict(0.99, "casino", True)])
    comment = make_comment(make_article(), status=Comment.Status.SPAM, body="casino")
    assert comment.status_reason.startswith("spam: filter score 0.99")
    make_comment(make_article(), status=Comment.Status.SPAM, honeypot="bot")  # not the filter
    run_tasks()
    [payload] = [json.loads(r["body"]) for r in receiver.requests]
    assert payload["type"] == "comment.spam" and payload["data"]["comment"]["id"] == comment.pk
    assert set(payload["data"]["links"]) == {"review", "approve"}


def test_the_daily_digest_counts_the_comments_waiting(db, receiver):
    endpoint(receiver, events=["digest"])
    held_comment()
    held_comment()
    assert receiver.requests == []
    run_tasks()  # the digest, due in a day, run now
    payload = receiver.json()
    assert payload["type"] == "comment.digest" and payload["data"]["count"] == 2


def test_a_held_comment_that_rolls_back_alerts_nobody(db, receiver):
    endpoint(receiver)
    with (
        pytest.raises(RuntimeError),
        mock.patch("comments.services.notifying.subscribe_writer", side_effect=RuntimeError),
    ):
        held_comment()
    assert Delivery.objects.count() == 0


def test_a_fresh_site_mails_moderators_about_held_comments(db):
    assert DiscussionSettings.load().moderator_mail == "each"
    moderator = make_user(is_superuser=True, is_staff=True)
    held_comment()
    run_tasks()
    assert [m.to for m in sent(kind="held")] == [moderator.email]


def test_prune_alerts_deletes_old_finished_deliveries_only(db, receiver):
    endpoint(receiver)
    held_comment()
    held_comment()
    run_tasks()
    queued = services.event("held", comment=held_comment())  # not run: still queued
    month_ago = timezone.now() - timedelta(days=31)
    Delivery.objects.update(created_at=month_ago)
    out = StringIO()
    call_command("prune_alerts", "--older-than", "30", "--dry-run", stdout=out)
    assert "2 deliveries would be deleted" in out.getvalue() and Delivery.objects.count() == 4
    call_command("prune_alerts", "--older-than", "30", stdout=out)
    assert "2 deliveries deleted" in out.getvalue()
    assert Attempt.objects.count() == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
    assert queued[0].pk in Delivery.objects.values_list("pk", flat=True)
