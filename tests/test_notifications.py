"""Reply notifications people can trust (issue #13): asked for on the form, verified before the
first mail, sent by a worker only for approved comments, one mail per comment per person, and
stopped by one click. The worker here is the real one (`db_worker`), run in the test."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from comments import services
from comments.models import Ban, Comment
from comments.services.notifying import announce_comments
from notifications.models import Address, Mail, Preferences, Subscription
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.outbox import run_tasks, sent
from tests.pages import page_of, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Comment.Status
GUEST = "ana@example.com"


def inbox(address):
    return [m for m in mail.outbox if address in m.to]


def link(message, kind):
    """The path of the first link of ``kind`` ("confirm", "unsubscribe") in a mail's text."""
    return re.search(rf"https?://[^/\s]+(/mail/{kind}/[^/\s]+/)", message.body).group(1)


def confirmed_guest(client, article, email=GUEST, **fields):
    """A guest's comment asking for replies, and the guest's address confirmed."""
    submit(client, article, author_name="Ana", author_email=email, email_replies="on", **fields)
    run_tasks()
    client.post(link(inbox(email)[-1], "confirm"))
    assert Address.objects.get(email=email).verified_at
    mail.outbox.clear()
    return Comment.objects.filter(author_email=email).latest("pk")


def reply(article, parent, **fields):
    return make_comment(article, parent=parent, author_name="Bo", author_email="bo@x.org", **fields)


# Asking, and confirming an address.


def test_the_form_offers_replies_new_comments_and_publication_mail(client):
    page = page_of(client.get(make_article().get_absolute_url()))

    assert "Email me replies to this comment" in page
    assert "Email me new comments on this article" in page
    assert "If my comment is held for review, email me when it is published" in page
    assert 'name="email_replies" id="id_email_replies"' in page  # off by default
    assert "checked" not in re.search(r'<input[^>]*name="email_replies"[^>]*>', page).group(0)


def test_a_guest_gets_one_confirmation_mail_and_nothing_else_until_it_is_followed(client):
    article = make_article()
    submit(client, article, author_email=GUEST, email_replies="on")
    run_tasks()
    [confirmation] = inbox(GUEST)
    assert "Confirm your email address" in confirmation.subject
    parent = Comment.objects.get(author_email=GUEST)

    reply(article, parent)
    run_tasks()
    assert inbox(GUEST) == [confirmation]  # the reply is not mailed to an unconfirmed address

    path = link(confirmation, "confirm")
    assert "Confirm ana@example.com" in page_of(client.get(path))  # a page with a button
    assert not Address.objects.get(email=GUEST).verified_at  # scanners open links: GET is safe
    assert "is confirmed" in page_of(client.post(path))
    reply(article, parent, body="A second answer")
    run_tasks()
    assert [m.subject for m in inbox(GUEST)][1:] == [
        f"Bo replied to your comment on “{article.title}”"
    ]


def test_an_address_gets_at_most_one_confirmation_mail_a_day(client):
    article = make_article()
    for n in range(5):
        submit(client, article, author_email=GUEST, body=f"Try {n}", email_new_comments="on")
    run_tasks()

    assert len(inbox(GUEST)) == 1


def test_a_forged_or_old_confirmation_link_gets_a_friendly_page(client):
    response = client.get("/mail/confirm/not-a-token/")

    assert response.status_code == 400
    assert "This confirmation link is not valid" in page_of(response)
    assert not Address.objects.exists()


def test_spam_asks_for_nothing_so_the_form_cannot_mail_strangers(client):
    set_rules(disallowed_words="casino")
    submit(client, make_article(), author_email=GUEST, body="casino", email_replies="on")
    run_tasks()

    assert not Subscription.objects.exists() and inbox(GUEST) == []


def test_a_member_needs_no_confirmation_and_the_profile_sets_the_default(client):
    member = make_user(email="mia@example.com")
    Preferences.objects.create(user=member, replies_by_default=True)
    client.force_login(member)
    article = make_article()

    page = page_of(client.get(article.get_absolute_url()))
    assert re.search(r'<input[^>]*name="email_replies"[^>]*checked', page)
    submit(client, article, email_replies="on")
    parent = Comment.objects.get(user=member)
    reply(article, parent)
    run_tasks()

    [message] = inbox("mia@example.com")
    assert "replied to your comment" in message.subject


# Only approved comments, once, to the right people.


def test_a_held_reply_sends_nothing_until_approved_then_exactly_one_mail(client, admin_client):
    article = make_article(title="Tides & moons")
    parent = confirmed_guest(client, article)
    set_rules(hold_all=True)
    held = reply(article, parent, body="Held <b>for</b> review", status=Status.PENDING)
    run_tasks()
    assert inbox(GUEST) == []

    admin_client.post(
        "/admin/comments/comment/?queue=all",
        {"action": "approve", "_selected_action": [held.pk]},
    )
    run_tasks()
    [message] = inbox(GUEST)
    assert message.subject == "Bo replied to your comment on “Tides & moons”"
    assert "Held <b>for</b> review" in message.body  # the text part is the text as written
    html = message.alternatives[0][0]
    assert "Held &lt;b&gt;for&lt;/b&gt; review" in html  # the HTML part, sanitised as on the page

    services.set_status(Comment.objects.filter(pk=held.pk), Status.PENDING)
    services.set_status(Comment.objects.filter(pk=held.pk), Status.APPROVED)
    run_tasks()
    assert len(inbox(GUEST)) == 1  # approved again: nothing new to tell


@pytest.mark.parametrize("status", [Status.SPAM, Status.REMOVED])
def test_a_reply_removed_before_its_mail_leaves_sends_nothing(client, status):
    article = make_article()
    parent = confirmed_guest(client, article)
    answer = reply(article, parent)
    announce_comments.call([answer.pk])  # what the worker does first: the mail is queued
    queued = Mail.objects.get(to=GUEST, kind="reply")
    assert queued.status == Mail.Status.QUEUED

    services.set_status(Comment.objects.filter(pk=answer.pk), status)
    run_tasks()

    assert inbox(GUEST) == []
    queued.refresh_from_db()
    assert queued.status == Mail.Status.CANCELLED


def test_nobody_is_mailed_about_their_own_comment(client):
    article = make_article()
    parent = confirmed_guest(client, article)
    make_comment(article, parent=parent, author_email=GUEST, body="Answering myself")
    run_tasks()

    assert inbox(GUEST) == []


def test_a_follower_who_also_gets_the_reply_gets_one_mail_for_it(client):
    article = make_article()
    parent = confirmed_guest(client, article, email_new_comments="on")
    reply(article, parent)
    run_tasks()

    [message] = inbox(GUEST)
    assert "replied to your comment" in message.subject


def test_followers_of_a_busy_article_get_one_mail_for_many_comments(client):
    article = make_article(title="Busy")
    submit(client, article, author_email=GUEST, email_new_comments="on")
    run_tasks()
    client.post(link(inbox(GUEST)[0], "confirm"))
    mail.outbox.clear()

    for n in range(5):
        make_comment(article, body=f"Busy comment {n}")
    run_tasks()

    [message] = inbox(GUEST)
    assert message.subject == "5 new comments on “Busy”"
    assert all(f"Busy comment {n}" in message.body for n in range(5))
    [batch] = Mail.objects.filter(to=GUEST, kind="follow")
    assert len(batch.about) == 5


def test_the_author_gets_new_comments_unless_they_switched_it_off():
    author = make_user(email="writer@example.com", is_staff=True)
    article = make_article(author=author, title="Mine")
    make_comment(article, body="Hello author")
    run_tasks()
    [message] = inbox("writer@example.com")
    assert message.subject.endswith("commented on “Mine”")

    Preferences.objects.create(user=author, article_comments=False)
    mail.outbox.clear()
    make_comment(article, body="Hello again")
    run_tasks()
    assert inbox("writer@example.com") == []


def test_a_held_comment_tells_its_writer_when_it_is_published(client):
    set_rules(hold_all=True)
    article = make_article(title="Patience")
    member = make_user(email="mia@example.com")
    client.force_login(member)
    submit(client, article, email_published="on")
    held = Comment.objects.get(user=member)

    services.set_status(Comment.objects.filter(pk=held.pk), Status.APPROVED)
    run_tasks()

    [message] = inbox("mia@example.com")
    assert message.subject == "Your comment on “Patience” is published"


def test_banned_and_erased_addresses_get_nothing(client):
    article = make_article()
    parent = confirmed_guest(client, article)
    banned = confirmed_guest(client, article, email="ban@example.com")
    Ban.objects.create(email="BAN@example.com")
    services.erase_writer(Comment.objects.filter(pk=parent.pk))

    reply(article, parent)
    reply(article, banned)
    run_tasks()

    assert inbox(GUEST) == [] and inbox("ban@example.com") == []
    assert not Subscription.objects.filter(email=GUEST).exists()


# The mail itself.


def test_the_mail_carries_threading_unsubscribe_and_auto_submitted_headers(client, settings):
    settings.SITE_URL = "https://forum.example.com"
    article = make_article()
    parent = confirmed_guest(client, article)
    reply(article, parent)
    reply(article, parent, body="Another")
    run_tasks()

    first, second = (m.message() for m in inbox(GUEST))
    assert first["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<mail\.\d+\.[0-9a-f]+@forum\.example\.com>", first["Message-ID"])
    assert first["Message-ID"] != second["Message-ID"]
    thread = f"<article-{article.pk}@forum.example.com>"
    assert first["In-Reply-To"] == first["References"] == second["References"] == thread
    assert re.fullmatch(r"<https://forum\.example\.com/mail/unsubscribe/\S+/>",
                        first["List-Unsubscribe"])  # fmt: skip
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in first.get_payload()] == ["text/plain", "text/html"]


def test_names_cannot_inject_headers_and_markup_stays_inert(client):
    article = make_article(title="Safe")
    parent = confirmed_guest(client, article)
    make_comment(article, parent=parent, author_name="Eve\r\nBcc: victim@example.com",
                 body="<script>alert(1)</script> **hi**")  # fmt: skip
    run_tasks()

    [message] = inbox(GUEST)
    parsed = message.message()
    assert message.to == [GUEST] and message.bcc == [] and parsed["Bcc"] is None
    assert message.subject == "Eve Bcc: victim@example.com replied to your comment on “Safe”"
    html = message.alternatives[0][0]
    assert "<script>" not in html and "<strong>hi</strong>" in html


# Unsubscribing.


def test_one_click_post_unsubscribes_without_login_and_a_get_only_asks(client):
    article = make_article()
    parent = confirmed_guest(client, article)
    reply(article, parent)
    run_tasks()
    [message] = inbox(GUEST)
    url = message.message()["List-Unsubscribe"].strip("<>")
    path = re.sub(r"^https?://[^/]+", "", url)

    asked = client.get(path)
    assert "Stop mail about replies to your comment" in page_of(asked)
    assert Subscription.objects.filter(email=GUEST).exists()  # a mail scanner's GET does nothing

    strict = Client(enforce_csrf_checks=True)  # as a mail client posts: no cookie, no token
    done = strict.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not Subscription.objects.filter(email=GUEST).exists()
    assert strict.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200  # again: fine

    mail.outbox.clear()
    reply(article, parent, body="After unsubscribing")
    run_tasks()
    assert inbox(GUEST) == []


def test_a_forged_unsubscribe_link_gets_a_friendly_page():
    response = Client(enforce_csrf_checks=True).post("/mail/unsubscribe/forged:token/")

    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in page_of(response)


def test_stopping_all_mail_stops_confirmations_too(client):
    article = make_article()
    parent = confirmed_guest(client, article)
    reply(article, parent)
    run_tasks()
    everything = re.search(r"Stop all mail from \S+: \S+(/mail/unsubscribe/\S+/)",
                           inbox(GUEST)[0].body).group(1)  # fmt: skip
    assert "all mail from this site to ana@example.com" in page_of(client.get(everything))
    client.post(everything)
    mail.outbox.clear()

    reply(article, parent, body="More")
    Address.objects.filter(email=GUEST).update(verified_at=None, confirmation_sent_at=None)
    submit(client, article, author_email=GUEST, email_replies="on", body="New one")
    run_tasks()

    assert inbox(GUEST) == []


# Moderators.


def test_moderators_can_have_one_daily_digest_instead(client):
    set_rules(moderator_mail="daily", hold_all=True)
    make_user(is_superuser=True, is_staff=True, email="boss@example.com")
    article = make_article()
    for n in range(3):
        submit(client, article, author_email=f"r{n}@example.com", body=f"Waiting {n}")
    run_tasks()

    [digest] = inbox("boss@example.com")
    assert digest.subject == "3 comments waiting for review"
    assert all(f"Waiting {n}" in digest.body for n in range(3))


def test_a_moderator_can_switch_held_comment_mail_off_from_the_link(client):
    set_rules(moderator_mail="each", hold_all=True)
    boss = make_user(is_superuser=True, is_staff=True, email="boss@example.com")
    article = make_article()
    submit(client, article, body="First")
    run_tasks()
    [message] = inbox("boss@example.com")

    client.post(link(message, "unsubscribe"))
    submit(client, article, body="Second", author_email="other@example.com")
    run_tasks()

    assert not Preferences.of(boss).held_comments
    assert len(inbox("boss@example.com")) == 1


# Delivery: retries, failures and the outbox.


def test_a_temporary_failure_is_retried_and_the_mail_arrives_once(smtpd, settings):
    settings.MAIL_RETRY_DELAYS = [1]
    smtpd.replies = ["451 4.3.0 Try again later"]
    mail_ = make_queued_mail()

    run_tasks()

    mail_.refresh_from_db()
    assert (mail_.status, mail_.attempts) == (Mail.Status.SENT, 2)
    assert [m.rcpt_tos for m in smtpd.messages] == [["ana@example.com"]]


def test_a_permanent_failure_stops_at_once_with_the_error(smtpd):
    smtpd.replies = ["550 5.1.1 No such user"] * 3
    mail_ = make_queued_mail()

    run_tasks()

    mail_.refresh_from_db()
    assert (mail_.status, mail_.attempts) == (Mail.Status.FAILED, 1)
    assert "550" in mail_.error and smtpd.messages == []


def test_a_refused_connection_is_retried_for_the_hour_then_fails(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 1, False
    mail_ = make_queued_mail()

    run_tasks(rounds=1)
    mail_.refresh_from_db()
    assert (mail_.status, mail_.attempts) == (Mail.Status.QUEUED, 1)
    assert mail_.next_attempt_at and "ConnectionRefusedError" in mail_.error

    Mail.objects.filter(pk=mail_.pk).update(queued_at=mail_.queued_at - timedelta(hours=1))
    run_tasks()
    mail_.refresh_from_db()
    assert (mail_.status, mail_.attempts) == (Mail.Status.FAILED, 2)


def test_the_admin_outbox_shows_failures_and_retries_them(admin_client, smtpd):
    smtpd.replies = ["550 5.7.1 Rejected"]
    failed = make_queued_mail()
    run_tasks()

    page = page_of(admin_client.get("/admin/notifications/mail/?status__exact=failed"))
    assert "Hello there" in page and "550 5.7.1 Rejected" in page
    admin_client.post(
        "/admin/notifications/mail/", {"action": "retry", "_selected_action": [failed.pk]}
    )
    run_tasks()

    failed.refresh_from_db()
    assert failed.status == Mail.Status.SENT and len(smtpd.messages) == 1


def make_queued_mail():
    from notifications import services as outbox

    return outbox.queue(to=GUEST, kind="test", subject="Hello there", text="A test.")


def test_a_mail_queued_twice_is_delivered_once():
    from notifications.tasks import deliver

    queued = make_queued_mail()
    deliver.enqueue(queued.pk)  # as a "retry" clicked twice would
    run_tasks()

    assert len(sent()) == 1 and len(inbox(GUEST)) == 1


# A member's settings.


def test_a_member_chooses_their_mail_on_the_profile_page_and_sees_what_they_follow(client):
    member = make_user(username="mia", email="mia@example.com")
    client.force_login(member)
    article = make_article(title="Followed")
    submit(client, article, email_new_comments="on")

    page = page_of(client.get("/users/me/"))
    checked = set(re.findall(r'<input type="checkbox" name="mail-(\w+)"[^>]*checked', page))
    assert checked == {"article_comments"}  # the defaults; "held" only for staff
    assert "mail-held_comments" not in page
    assert "new comments on “Followed”" in page
    stop = re.search(r'new comments on “Followed” · <a href="[^"]*(/mail/unsubscribe/[^"]+)"', page)

    client.post("/users/me/", {"display_name": "", "website": "", "bio": "",
                               "mail-replies_by_default": "on"})  # fmt: skip
    preferences = Preferences.objects.get(user=member)
    assert preferences.replies_by_default and not preferences.article_comments
    client.post(stop.group(1))
    assert not Subscription.objects.filter(user=member).exists()


def test_the_mail_admin_pages_open_with_rows_in_them(admin_client, client):
    article = make_article()
    confirmed_guest(client, article)
    reply(article, Comment.objects.get(author_email=GUEST))
    run_tasks()

    for page in ("notifications/mail", "notifications/subscription", "notifications/address"):
        listing = admin_client.get(f"/admin/{page}/")
        assert listing.status_code == 200, page
        assert GUEST in page_of(listing), page
    one = Mail.objects.filter(to=GUEST).first()
    assert admin_client.get(f"/admin/notifications/mail/{one.pk}/change/").status_code == 200


def test_the_confirmation_mail_names_the_site(client, settings):
    settings.SITE_NAME = "Pond Talk"
    submit(client, make_article(), author_email=GUEST, email_replies="on")
    run_tasks()

    [confirmation] = inbox(GUEST)
    assert "comments on Pond Talk (http" in confirmation.body
    assert "Stop all mail from Pond Talk:" in confirmation.body
    html = confirmation.alternatives[0][0]
    assert "comments on Pond Talk (" in html and "Stop all mail from Pond Talk<" in html
