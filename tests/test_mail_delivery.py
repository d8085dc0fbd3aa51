"""Mail as it runs in production (issue #13): gunicorn takes the comments, `manage.py db_worker`
processes deliver the mail to a real SMTP server on 127.0.0.1, over the test database."""

import os
import re
import signal
import sys
import urllib.parse
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.sessions import SessionStore
from comments.models import Comment, DiscussionSettings
from notifications import services as outbox
from notifications.models import Batch, Mail, Subscription
from tests.factories import make_article, make_user, set_rules
from tests.outbox import start_smtp_server
from tests.servers import (
    answers,
    browser,
    children_of,
    fetch,
    form_fields,
    free_port,
    manage,
    serve,
    server_env,
    start,
    stop,
    url_of_test_database,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp_server():
    controller, handler = start_smtp_server()
    handler.url = f"smtp://{controller.hostname}:{controller.port}"
    yield handler
    controller.stop()


def worker_env(tmp_path, smtp_server, **extra):
    return server_env(
        url_of_test_database(), tmp_path / "static", EMAIL_URL=smtp_server.url,
        MAIL_RETRY_DELAYS="1", **extra,
    )  # fmt: skip


def worker_command(*options):
    return [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
            "--interval", "0.2", *options]  # fmt: skip


@contextmanager
def worker(env, log):
    """One `manage.py db_worker`, as `make run` starts it, until the block ends."""
    process = start(worker_command(), log, env=env, cwd=settings.BASE_DIR)
    try:
        yield process
    finally:
        stop(process)


def all_tasks_done():
    """Whether the worker has run every task that is due (not those deferred to later)."""
    due = DBTaskResult.objects.ready() | DBTaskResult.objects.filter(status="RUNNING")
    return not due.exists()


def test_two_workers_deliver_500_queued_mails_exactly_once(tmp_path, smtp_server):
    queued = [
        outbox.queue(to=f"reader{n}@example.com", kind="test", subject=f"Mail {n}", text="Hi")
        for n in range(500)
    ]
    env = worker_env(tmp_path, smtp_server)
    workers = [
        start(
            worker_command("--batch"), tmp_path / f"worker{n}.log", env=env, cwd=settings.BASE_DIR
        )
        for n in range(2)
    ]
    for process in workers:
        assert process.wait(timeout=180) == 0, (tmp_path / "w0.log").read_text()

    received = smtp_server.parsed()
    assert len(received) == 500
    assert len({m["Message-ID"] for m in received}) == 500
    assert sorted(m["To"] for m in received) == sorted(mail.to for mail in queued)
    assert Mail.objects.filter(status=Mail.Status.SENT).count() == 500
    ran_by = {w for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for w in ids}
    assert len(ran_by) == 2  # both workers took their share


@pytest.mark.parametrize(
    ("replies", "status", "delivered", "attempts"),
    [
        pytest.param(["451 4.3.0 Try again later"], Mail.Status.SENT, 1, 2, id="451 then 250"),
        pytest.param(["550 5.1.1 No such user"] * 3, Mail.Status.FAILED, 0, 1, id="550"),
    ],
)
def test_the_worker_retries_a_temporary_failure_and_gives_up_on_a_permanent_one(
    tmp_path, smtp_server, replies, status, delivered, attempts
):
    smtp_server.replies = list(replies)
    mail = outbox.queue(to="ana@example.com", kind="test", subject="Once", text="Hi")

    with worker(worker_env(tmp_path, smtp_server), tmp_path / "worker.log"):
        wait_until(lambda: Mail.objects.get(pk=mail.pk).status == status, 30, "not delivered")

    assert len(smtp_server.messages) == delivered
    mail.refresh_from_db()
    assert mail.attempts == attempts


# A reader's whole story, through gunicorn and a worker.


def post(server, opener, article, **fields):
    """Post the comment form of ``article``'s page as a browser would; the response."""
    page = fetch(server.url + article.get_absolute_url(), opener=opener)[2]
    data = {**form_fields(page), "author_url": "", "parent": "", **fields}
    return fetch(
        f"{server.url}/comments/post/{article.pk}/", data=data, opener=opener,
        headers={"Referer": server.url + article.get_absolute_url()},
    )  # fmt: skip


def path_of(url):
    return urllib.parse.urlsplit(url).path


def staff_session(secret_key):
    """The session cookie of a signed-in moderator, for a server with ``secret_key``."""
    boss = make_user(is_superuser=True, is_staff=True, email="boss@example.com")
    with override_settings(SECRET_KEY=secret_key):  # sessions are signed with it
        session = SessionStore()
        session[SESSION_KEY] = str(boss.pk)
        session[BACKEND_SESSION_KEY] = "accounts.sessions.ModelBackend"
        session[HASH_SESSION_KEY] = boss.get_session_auth_hash()
        session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def received_by(smtp_server, address):
    return [m for m in smtp_server.parsed() if m["To"] == address]


def test_a_guest_confirms_is_told_of_an_approved_reply_and_unsubscribes_in_one_click(
    tmp_path, smtp_server
):
    set_rules(hold_first_comment=False)
    article = make_article(title="End to end", author=make_user(email=""))
    env = worker_env(tmp_path, smtp_server)
    with (
        serve(env["DATABASE_URL"], tmp_path / "static", EMAIL_URL=smtp_server.url) as server,
        worker(env, tmp_path / "worker.log"),
    ):
        ana = browser()
        status, _, _ = post(server, ana, article, body="Tell me", author_name="Ana",
                            author_email="ana@example.com", email_replies="on")  # fmt: skip
        assert status == 302
        wait_until(lambda: received_by(smtp_server, "ana@example.com"), 20, "no confirmation")
        [confirmation] = received_by(smtp_server, "ana@example.com")
        text = confirmation.get_body(("plain",)).get_content()
        confirm = re.search(r"http\S+/mail/confirm/\S+/", text).group(0)
        page = fetch(server.url + path_of(confirm), opener=ana)[2]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        fetch(server.url + path_of(confirm), data={"csrfmiddlewaretoken": token}, opener=ana,
              headers={"Referer": server.url + path_of(confirm)})  # fmt: skip

        # A reply held for review: no mail.
        set_rules(hold_all=True)
        parent = Comment.objects.get(body="Tell me")
        post(server, browser(), article, body="A held answer", author_name="Bo",
             author_email="bo@example.com", parent=parent.pk)  # fmt: skip
        held = Comment.objects.get(body="A held answer")
        assert held.status == Comment.Status.PENDING
        wait_until(all_tasks_done, 20, "the worker did not finish")
        assert len(received_by(smtp_server, "ana@example.com")) == 1  # the confirmation only

        # A moderator approves it in the admin: one mail, with the headers mail clients use.
        changelist = f"{server.url}/admin/comments/comment/?queue=all"
        cookies = staff_session(env["DJANGO_SECRET_KEY"])
        status, headers, page = fetch(changelist, headers={"Cookie": cookies})
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        csrf = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
        action = {"csrfmiddlewaretoken": token, "action": "approve", "_selected_action": held.pk}
        cookies = f"{cookies}; csrftoken={csrf}"
        fetch(changelist, data=action, headers={"Cookie": cookies, "Referer": changelist})
        wait_until(lambda: len(received_by(smtp_server, "ana@example.com")) == 2, 20, "no reply")
        wait_until(all_tasks_done, 20, "the worker did not finish")
        message = received_by(smtp_server, "ana@example.com")[1]
        assert message["Subject"].strip() == "Bo replied to your comment on “End to end”"
        assert message["Auto-Submitted"] == "auto-generated"
        assert re.fullmatch(r"<mail\.\d+\.[0-9a-f]+@127\.0\.0\.1>", message["Message-ID"])
        assert (
            message["In-Reply-To"] == message["References"] == f"<article-{article.pk}@127.0.0.1>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "A held answer" in message.get_body(("plain",)).get_content()
        assert "A held answer" in message.get_body(("html",)).get_content()

        # The mail client's one-click unsubscribe: a POST without cookies or token.
        unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
        status, _, page = fetch(server.url + path_of(unsubscribe),
                                data={"List-Unsubscribe": "One-Click"})  # fmt: skip
        assert status == 200 and "Done" in page
        assert not Subscription.objects.filter(email="ana@example.com").exists()

        set_rules(hold_all=False)
        post(server, browser(), article, body="Nobody is told", author_name="Cy",
             author_email="cy@example.com", parent=parent.pk)  # fmt: skip
        wait_until(all_tasks_done, 20, "the worker did not finish")
        assert len(received_by(smtp_server, "ana@example.com")) == 2


def test_a_follower_of_a_busy_article_gets_one_mail_for_its_comments(tmp_path, smtp_server):
    DiscussionSettings.load()
    set_rules(hold_first_comment=False)
    follower = make_user(email="fan@example.com")
    article = make_article(title="Busy", author=make_user(email=""))
    Subscription.objects.create(kind="article", topic=f"article:{article.pk}",
                                email="fan@example.com", user=follower, label="Busy")  # fmt: skip
    env = worker_env(tmp_path, smtp_server)
    with (
        serve(env["DATABASE_URL"], tmp_path / "static", EMAIL_URL=smtp_server.url) as server,
        worker(env, tmp_path / "worker.log"),
    ):
        for n in range(6):
            assert post(server, browser(), article, body=f"Comment number {n}",
                        author_name="Busy", author_email=f"b{n}@example.com")[0] == 302  # fmt: skip
        wait_until(lambda: Batch.objects.filter(due_at__isnull=False).exists(), 20, "no batch")
        wait_until(all_tasks_done, 20, "the worker did not finish")
        assert DBTaskResult.objects.get(status="READY").task_path.endswith("send_new_comments")
        assert received_by(smtp_server, "fan@example.com") == []  # gathering, not one per comment

        # Fifteen minutes later, as far as the worker can tell.
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        wait_until(lambda: received_by(smtp_server, "fan@example.com"), 20, "no batched mail")
        wait_until(all_tasks_done, 20, "the worker did not finish")

    [message] = received_by(smtp_server, "fan@example.com")
    assert message["Subject"].strip() == "6 new comments on “Busy”"
    text = message.get_body(("plain",)).get_content()
    assert all(f"Comment number {n}" in text for n in range(6))
    assert Batch.objects.get().last_run_at > timezone.now() - timedelta(minutes=1)


def test_serve_runs_gunicorn_and_a_worker_and_ctrl_c_stops_both(tmp_path, smtp_server):
    """`manage.py serve`, the last step of `make run`."""
    env = worker_env(tmp_path, smtp_server)
    manage("collectstatic", "--noinput", "-v0", env=env)
    env["PORT"] = str(free_port())
    serving = start([sys.executable, "manage.py", "serve"], tmp_path / "serve.log", env=env,
                    cwd=settings.BASE_DIR, start_new_session=True)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{env['PORT']}"
        wait_until(lambda: answers(url + "/healthz", 200), 20, "gunicorn did not start")
        outbox.queue(to="ana@example.com", kind="test", subject="Served", text="Hi")
        wait_until(lambda: smtp_server.messages, 20, "the worker did not deliver")
        children = children_of(serving.pid)
        assert len(children) == 2  # gunicorn's master and the worker

        os.killpg(serving.pid, signal.SIGINT)  # Ctrl-C in the terminal signals the whole group
        assert serving.wait(timeout=30) == 0
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 10,
                   "a child outlived Ctrl-C")  # fmt: skip
        assert not answers(url + "/healthz", 200)
    finally:
        if serving.poll() is None:
            os.killpg(serving.pid, signal.SIGKILL)
