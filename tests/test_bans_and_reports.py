"""Bans and reader reports (issue #4), driven over HTTP: who is refused and how politely, what a
ban may name, and how readers' reports send a comment back to the moderators.
"""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Ban, Comment, DiscussionSettings, ModerationLog, Report
from comments.services import set_status
from tests import pages
from tests.factories import (
    anchor,
    make_article,
    make_comment,
    make_user,
    redirects_after_posting,
    set_rules,
)
from tests.outbox import run_tasks
from tests.pages import form_errors, front_page_count, heading, page_of, shows, value_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]

Status = Comment.Status
SORRY = "Sorry, this site is not accepting your comments"
THANKS = "Thank you for the report. A moderator will look at it."
ALREADY = "You have already reported this comment."


def submit(client, article, **fields):
    return pages.submit(client, article, **{"body": "Hear me out & <listen>.", **fields})


def ban(**fields):
    """A ban saved the way the admin saves one: cleaned first."""
    ban = Ban(**fields)
    ban.full_clean()
    ban.save()
    return ban


def assert_refused(response, article, message=SORRY):
    """The polite refusal: the form again with the text kept, a 400, and nothing stored."""
    page = page_of(response)
    assert response.status_code == 400
    assert response.redirect_chain == []
    assert any(error.startswith(message) for error in form_errors(page)), form_errors(page)
    assert value_in(page, "body") == "Hear me out & <listen>."
    assert not Comment.objects.filter(body="Hear me out & <listen>.").exists()
    assert heading(page) == "1 comment"
    assert front_page_count(article) == "1 comment… add one"


def assert_accepted(response, article):
    comment = Comment.objects.get(body="Hear me out & <listen>.")
    assert response.redirect_chain == redirects_after_posting(comment)
    assert comment.status == Status.APPROVED
    assert shows(page_of(response), comment)
    assert front_page_count(article) == "2 comments… add one"


@pytest.fixture
def article():
    article = make_article()
    make_comment(article, body="Already here.")
    return article


# Who a ban refuses


BANS = [
    pytest.param({"email": "Troll@Example.com"}, {"author_email": "tROLL@example.COM"}, id="email"),
    pytest.param({"network": "203.0.113.9"}, {"remote_addr": "203.0.113.9"}, id="IPv4 address"),
    pytest.param({"network": "203.0.113.0/24"}, {"remote_addr": "203.0.113.200"}, id="IPv4 range"),
    pytest.param({"network": "127.0.0.1"}, {}, id="the test client's address"),
    pytest.param({"network": "2001:db8::7"}, {"remote_addr": "2001:db8::7"}, id="IPv6 address"),
    pytest.param({"network": "2001:DB8::/32"}, {"remote_addr": "2001:db8:ff::1"}, id="IPv6 range"),
]


@pytest.mark.parametrize(("target", "poster"), BANS)
def test_a_banned_poster_is_refused_politely_and_nothing_is_stored(client, article, target, poster):
    ban(**target)
    response = submit(client, article, **poster)
    assert_refused(response, article)


def test_a_banned_account_is_refused_whatever_address_it_posts_from(client, article):
    user = make_user(email="ada@example.com")
    ban(user=user, reason="Repeated abuse")
    client.force_login(user)

    assert_refused(submit(client, article, remote_addr="198.51.100.20"), article)


def test_each_target_of_a_ban_with_several_applies_on_its_own(article):
    user = make_user(email="ada@example.com")
    ban(user=user, email="other@example.com", network="203.0.113.0/24")
    member = Client()
    member.force_login(user)

    assert_refused(submit(member, article, remote_addr="198.51.100.1"), article)
    assert_refused(submit(Client(), article, author_email="other@example.com"), article)
    assert_refused(submit(Client(), article, remote_addr="203.0.113.5"), article)
    assert_accepted(submit(Client(), article, remote_addr="198.51.100.1"), article)


def test_a_ban_stored_with_capitals_still_matches_any_case(client, article):
    Ban.objects.create(email="Troll@Example.com")  # e.g. from the shell, without clean()
    assert_refused(submit(client, article, author_email="troll@example.com"), article)


@pytest.mark.parametrize(
    ("target", "poster"),
    [
        pytest.param({"email": "troll@example.com"}, {}, id="another email"),
        pytest.param({"network": "203.0.113.0/24"}, {"remote_addr": "203.0.114.1"}, id="IPv4"),
        pytest.param({"network": "2001:db8::/32"}, {"remote_addr": "2001:db9::1"}, id="IPv6"),
        pytest.param({"network": "2001:db8::/32"}, {}, id="IPv4 poster, IPv6 ban"),
        pytest.param({"network": "not-an-address"}, {}, id="a malformed ban in the database"),
    ],
)
def test_a_ban_does_not_refuse_anyone_it_does_not_name(client, article, target, poster):
    Ban.objects.create(**target)
    assert_accepted(submit(client, article, **poster), article)


def test_a_ban_on_one_account_does_not_refuse_an_account_without_email(client, article):
    ban(user=make_user(email="banned@example.com"))
    client.force_login(make_user(email=""))
    assert_accepted(submit(client, article), article)


def test_an_expired_ban_no_longer_applies(client, article):
    ban(email="sam@example.com", ends_at=timezone.now() - timedelta(minutes=1))
    ban(network="127.0.0.0/8", ends_at=timezone.now() - timedelta(days=30))
    assert_accepted(submit(client, article), article)


def test_a_ban_with_an_end_date_says_until_when(client, article):
    ends_at = timezone.now() + timedelta(days=30)
    ban(email="sam@example.com", ends_at=ends_at)

    response = submit(client, article)

    assert_refused(response, article)
    until = f"{SORRY} until {timezone.localtime(ends_at):%B %-d, %Y}. If you think this is a "
    assert form_errors(page_of(response)) == [until + "mistake, please contact the editors."]


def test_the_end_date_of_a_ban_is_given_in_the_sites_time_zone(client, article, settings):
    settings.TIME_ZONE = "America/New_York"
    day = timezone.now().date() + timedelta(days=400)
    ends_at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    ban(email="sam@example.com", ends_at=ends_at)

    response = submit(client, article)

    assert_refused(response, article)
    day_before = ends_at - timedelta(days=1)  # 2:00 UTC is still the evening before in New York
    assert f"until {day_before:%B %-d, %Y}." in form_errors(page_of(response))[-1]


# What a ban may name


def test_a_ban_must_name_someone_and_says_so_once():
    with pytest.raises(ValidationError) as raised:
        Ban(reason="No target").full_clean()  # as the admin's form does
    assert raised.value.messages == ["Ban a user, an email address or an IP address (or several)."]


@pytest.mark.parametrize("network", ["203.0.113.300", "203.0.113.0/33", "example.com", "::g"])
def test_a_ban_on_an_invalid_network_is_explained(network):
    with pytest.raises(ValidationError) as raised:
        Ban(network=network).clean()
    assert raised.value.message_dict == {
        "network": ["Enter an IP address or a CIDR range like 203.0.113.0/24."]
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" 203.0.113.7/24 ", "203.0.113.0/24"),
        ("203.0.113.7", "203.0.113.7/32"),
        ("2001:DB8::1/32", "2001:db8::/32"),
    ],
)
def test_a_ban_network_is_normalised_and_then_applies_to_the_whole_range(
    client, article, typed, stored
):
    banned = Ban(network=typed, email=" Troll@Example.COM ")
    banned.clean()
    assert (banned.network, banned.email) == (stored, "troll@example.com")
    banned.save()

    first = stored.split("/")[0]
    assert_refused(submit(client, article, remote_addr=first), article)


# Reporting a comment


def report_url(comment):
    return reverse("comments:report", args=[comment.pk])


def report(client, comment, *, ip="127.0.0.1", **data):
    return client.post(
        report_url(comment), {"reason": "spam", "text": "", **data}, follow=True, REMOTE_ADDR=ip
    )


def member(n):
    """A signed-in browser of the member ``reader<n>``."""
    browser = Client()
    browser.force_login(make_user(username=f"reader{n}"))
    return browser


def messages_on(page):
    return [html.unescape(m) for m in re.findall(r'<li class="message [^"]*">(.*?)</li>', page)]


def test_only_approved_comments_offer_a_report_link(client):
    article = make_article()
    approved = make_comment(article, body="approved")
    removed = make_comment(article, body="removed")
    reply = make_comment(article, parent=removed, body="reply to removed")
    set_status(Comment.objects.filter(pk=removed.pk), Status.REMOVED)
    set_rules(hold_all=True)
    submit(client, article, body="my own, held")
    held = Comment.objects.get(body="my own, held")

    page = page_of(client.get(article.get_absolute_url()))

    assert shows(page, held) and "Your comment is awaiting moderation." in page
    assert "This comment was removed." in page
    links = re.findall(r'<a class="report" href="([^"]+)"', page)
    assert links == [report_url(approved), report_url(reply)]


def test_the_report_page_shows_the_comment_and_the_reasons_to_choose_from(client):
    article = make_article()
    comment = make_comment(article, author_name="Olu", body="Buy *cheap* watches")

    response = client.get(report_url(comment))

    page = page_of(response)
    assert response.status_code == 200
    assert "<strong>Olu</strong>" in page and "Buy <em>cheap</em> watches" in page
    assert f'<a href="{comment.get_absolute_url()}">{article.title}</a>' in page
    choices = re.findall(r'<input type="radio" name="reason" value="([^"]+)"', page)
    assert choices == ["spam", "abuse", "off-topic", "other"]
    for label in ("Spam", "Abusive or hateful", "Off-topic", "Something else"):
        assert f">{label}</label>" in page
    assert re.search(r'<textarea name="text"[^>]*>', page)
    assert "Anything a moderator should know? (optional)" in page
    assert not Report.objects.exists()


def test_a_report_is_recorded_and_the_reader_is_thanked_at_the_comment(client):
    article = make_article()
    comment = make_comment(article, body="Rude words")

    response = report(client, comment, reason="abuse", text="Name-calling")

    assert response.redirect_chain == [(anchor(comment), 302)]
    assert messages_on(page_of(response)) == [THANKS]
    stored = Report.objects.get()
    assert (stored.comment, stored.reason, stored.text, stored.ip_address) == (
        comment,
        "abuse",
        "Name-calling",
        "127.0.0.1",
    )
    assert stored.reporter == "address:127.0.0.1" and not stored.is_dismissed
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == (Status.APPROVED, 1)
    assert shows(page_of(response), comment)  # one report alone hides nothing
    assert front_page_count(article) == "1 comment… add one"


def test_the_same_browser_cannot_report_a_comment_twice(client):
    comment = make_comment(make_article())
    report(client, comment)

    response = report(client, comment, reason="abuse")

    assert response.status_code == 400
    alerts = re.findall(r'<p class="form-error" role="alert">(.*?)</p>', page_of(response))
    assert alerts == [ALREADY]
    assert Report.objects.count() == 1
    assert Comment.objects.get().report_count == 1


def test_the_same_account_cannot_report_a_comment_twice_from_another_browser():
    comment = make_comment(make_article())
    user = make_user()
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(user)

    first = report(browsers[0], comment)
    second = report(browsers[1], comment, reason="other")

    assert messages_on(page_of(first)) == [THANKS]
    assert second.status_code == 400 and ALREADY in page_of(second)
    assert list(Report.objects.values_list("reporter", "reason")) == [(f"user:{user.pk}", "spam")]


def test_enough_reports_from_different_readers_send_the_comment_back_to_pending(client):
    set_rules(reports_to_hold=2)
    article = make_article()
    reported = make_comment(article, body="Offending")
    make_comment(article, body="Harmless")

    report(member(1), reported, ip="198.51.100.1")
    reported.refresh_from_db()
    assert (reported.status, reported.report_count) == (Status.APPROVED, 1)
    assert not ModerationLog.objects.exists()

    response = report(member(2), reported, reason="abuse", ip="198.51.100.2")

    reported.refresh_from_db()
    assert (reported.status, reported.status_reason, reported.report_count) == (
        Status.PENDING,
        "held: 2 reports",
        2,
    )
    log = ModerationLog.objects.get()
    assert (log.comment, log.moderator, log.from_status, log.to_status, log.reason) == (
        reported,
        None,
        Status.APPROVED,
        Status.PENDING,
        "held: 2 reports",
    )
    assert messages_on(page_of(response)) == [THANKS]
    for page in (page_of(response), page_of(client.get(article.get_absolute_url()))):
        assert not shows(page, reported) and "Offending" not in page
        assert "Harmless" in page and heading(page) == "1 comment"
    assert front_page_count(article) == "1 comment… add one"
    assert client.get(report_url(reported)).status_code == 404


def test_by_default_the_third_report_holds_the_comment():
    assert DiscussionSettings.load().reports_to_hold == 3
    article = make_article()
    comment = make_comment(article)

    for n in range(2):
        report(member(n), comment, ip=f"198.51.100.{n}")
    assert Comment.objects.get().status == Status.APPROVED
    assert front_page_count(article) == "1 comment… add one"
    report(member(2), comment, ip="198.51.100.2")

    assert Comment.objects.values_list("status", "status_reason").get() == (
        Status.PENDING,
        "held: 3 reports",
    )
    assert front_page_count(article) == "No comments… add one"


def test_cookieless_reports_from_one_address_are_one_reporter(client):
    comment = make_comment(make_article())

    answers = [report(Client(), comment) for _ in range(3)]  # a new "reader" each time

    assert [r.status_code for r in answers] == [200, 400, 400]
    assert ALREADY in page_of(answers[1])
    assert Comment.objects.get().status == Status.APPROVED
    assert Report.objects.count() == 1


def test_one_ipv6_network_is_one_reporter(client):
    comment = make_comment(make_article())

    report(Client(), comment, ip="2001:db8:9:1::5")
    again = report(Client(), comment, ip="2001:db8:9:1:ffff::6")  # the same /64

    assert again.status_code == 400 and Report.objects.count() == 1


def test_members_on_one_address_cannot_hold_a_comment_alone(client):
    comment = make_comment(make_article())

    for n in range(5):
        report(member(n), comment, ip="198.51.100.9")

    assert Comment.objects.get().status == Status.APPROVED
    assert Report.objects.count() == 5  # recorded for the moderators all the same


def test_a_guests_report_weighs_half_a_members(client):
    comment = make_comment(make_article())  # three reports' weight holds it

    for n in range(5):
        report(Client(), comment, ip=f"198.51.100.{n}")
    assert Comment.objects.get().status == Status.APPROVED  # 2.5
    report(Client(), comment, ip="198.51.100.5")

    assert Comment.objects.get().status == Status.PENDING  # 3


def test_two_guests_and_a_member_from_different_addresses_hold_a_comment(client):
    comment = make_comment(make_article())

    report(Client(), comment, ip="198.51.100.1")
    report(Client(), comment, ip="198.51.100.2")
    report(member(1), comment, ip="198.51.100.3")
    assert Comment.objects.get().status == Status.APPROVED  # 2
    report(member(2), comment, ip="198.51.100.3")

    assert Comment.objects.get().status == Status.PENDING  # 3, from three addresses


@pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM, Status.REMOVED])
def test_a_comment_that_is_not_approved_cannot_be_reported(client, status):
    comment = make_comment(make_article(), status=status)
    assert client.get(report_url(comment)).status_code == 404
    assert client.post(report_url(comment), {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()
    assert Comment.objects.get().report_count == 0


@pytest.mark.parametrize(
    "unpublish",
    [
        pytest.param({"status": Article.Status.DRAFT}, id="draft"),
        pytest.param({"published_at": timezone.now() + timedelta(days=1)}, id="scheduled"),
    ],
)
def test_a_comment_on_an_unpublished_article_cannot_be_reported(client, unpublish):
    article = make_article()
    comment = make_comment(article)
    Article.objects.filter(pk=article.pk).update(**unpublish)

    assert client.get(report_url(comment)).status_code == 404
    assert client.post(report_url(comment), {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"reason": "boring"},
            "Select a valid choice. boring is not one of the available choices.",
        ),
        ({"reason": ""}, "This field is required."),
        ({"reason": "spam", "text": "x" * 501}, "at most 500 characters (it has 501)."),
    ],
)
def test_an_invalid_report_is_explained_and_not_recorded(client, data, error):
    comment = make_comment(make_article())

    response = client.post(report_url(comment), data)

    page = page_of(response)
    assert response.status_code == 400
    assert error in html.unescape(" ".join(re.findall(r'class="field-error">(.*?)</span>', page)))
    assert "Send report</button>" in page
    assert not Report.objects.exists()
    assert Comment.objects.get().report_count == 0


def test_dismissing_reports_restores_the_comment_and_readers_may_report_again(client):
    set_rules(reports_to_hold=2)
    article = make_article()
    comment = make_comment(article, body="Contested")
    report(member(1), comment, ip="198.51.100.1")
    report(member(2), comment, reason="abuse", ip="198.51.100.2")
    moderator = make_user(is_staff=True)
    assert front_page_count(article) == "No comments… add one"

    services.dismiss_reports(Comment.objects.filter(pk=comment.pk), by=moderator)

    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == (Status.APPROVED, 0)
    assert list(Report.objects.values_list("is_dismissed", flat=True)) == [True, True]
    assert ModerationLog.objects.values_list("moderator", "from_status", "to_status").first() == (
        moderator.pk,
        Status.PENDING,
        Status.APPROVED,
    )
    assert shows(page_of(Client().get(article.get_absolute_url())), comment)
    assert front_page_count(article) == "1 comment… add one"

    response = report(client, comment, reason="other", text="Still rude")

    assert messages_on(page_of(response)) == [THANKS]
    assert Report.objects.filter(is_dismissed=False).get().text == "Still rude"
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == (Status.APPROVED, 1)


def test_dismissing_reports_on_an_approved_comment_keeps_it_approved():
    article = make_article()
    comment = make_comment(article)
    report(Client(), comment)

    services.dismiss_reports(Comment.objects.filter(pk=comment.pk), by=make_user(is_staff=True))

    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == (Status.APPROVED, 0)
    assert Report.objects.get().is_dismissed
    assert not ModerationLog.objects.exists()  # nothing changed status
    assert front_page_count(article) == "1 comment… add one"


def test_a_comment_held_by_reports_emails_the_moderators_with_a_link(settings, mailoutbox):
    settings.SITE_URL = "https://forum.example.com"
    set_rules(moderator_mail="each", reports_to_hold=1)
    make_user(is_superuser=True, is_staff=True, email="boss@example.com")
    comment = make_comment(make_article(), body="borderline")
    services.report_comment(
        comment, reporter=services.reporter_of(user=make_user()), reason="abuse"
    )
    run_tasks()
    [message] = mailoutbox
    assert message.to == ["boss@example.com"]
    assert "held: 1 reports" in message.body
    assert f"https://forum.example.com/admin/comments/comment/{comment.pk}/change/" in message.body


def test_banning_an_author_without_email_removes_only_their_comments():
    article = make_article()
    member, other = make_user(email=""), make_user(email="")
    theirs = make_comment(article, user=member, author_email="", body="mine")
    others = make_comment(article, user=other, author_email="", body="someone else's")
    _, removed = services.ban_author(theirs, by=None)
    assert removed == 1
    assert Comment.objects.get(pk=others.pk).status == Comment.Status.APPROVED
