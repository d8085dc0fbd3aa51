"""The posting rules of the Discussion settings (issue #4), driven over HTTP: first comments held,
pre-moderation, links, moderation and disallowed words, old articles closing, thread depth and
the email to moderators. Each test checks the database, the article page and the front page.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from comments import services
from comments.models import Comment, DiscussionSettings
from tests.factories import (
    draw,
    make_article,
    make_comment,
    make_user,
    redirects_after_posting,
    set_rules,
)
from tests.outbox import run_tasks
from tests.pages import front_page_count, heading, page_of, shows, submit

pytestmark = pytest.mark.django_db

Status = Comment.Status
AWAITING = "Your comment is awaiting moderation."


def known_author(email="sam@example.com"):
    """Give ``email`` an approved comment elsewhere, so hold_first_comment lets them through."""
    return make_comment(make_article(), author_email=email, body="Approved elsewhere.")


def approve(comment):
    moderator = make_user(is_staff=True)
    services.set_status(Comment.objects.filter(pk=comment.pk), Status.APPROVED, by=moderator)


# Holding a new author's first comment


def test_a_new_authors_first_comment_is_held_and_shown_only_in_their_browser(client):
    assert DiscussionSettings.load().hold_first_comment  # on by default
    article = make_article()
    make_comment(article, body="An earlier reader's comment.")

    response = submit(client, article, body="My very first words.")

    held = Comment.objects.get(body="My very first words.")
    assert (held.status, held.status_reason) == (Status.PENDING, "held: first comment")
    assert response.redirect_chain[-1:] == [
        (f"{article.get_absolute_url()}#comment-{held.pk}", 302)
    ]
    page = page_of(response)
    assert shows(page, held) and AWAITING in page and "My very first words." in page
    assert heading(page) == "1 comment"

    other = page_of(Client().get(article.get_absolute_url()))
    assert not shows(other, held) and "My very first words." not in other
    assert AWAITING not in other
    assert heading(other) == "1 comment"
    assert front_page_count(article) == "1 comment… add one"


def test_once_an_author_has_an_approved_comment_their_next_one_is_approved_at_once(client):
    article = make_article()
    submit(client, article, body="First try.")
    first = Comment.objects.get(body="First try.")
    assert first.status == Status.PENDING
    assert front_page_count(article) == "No comments… add one"
    approve(first)

    response = submit(Client(), article, body="Second try.", author_email="SAM@Example.com")

    second = Comment.objects.get(body="Second try.")
    assert (second.status, second.status_reason) == (Status.APPROVED, "")
    page = page_of(response)
    assert shows(page, first) and shows(page, second) and AWAITING not in page
    assert heading(page) == "2 comments"
    assert front_page_count(article) == "2 comments… add one"


def test_an_author_whose_earlier_comment_still_waits_is_held_again(client):
    article = make_article()
    submit(client, article, body="One.")

    response = submit(client, article, body="Two.")

    assert list(Comment.objects.order_by("pk").values_list("status", "status_reason")) == [
        (Status.PENDING, "held: first comment"),
        (Status.PENDING, "held: first comment"),
    ]
    assert page_of(response).count(AWAITING) == 2
    assert heading(page_of(Client().get(article.get_absolute_url()))) == "No comments yet"


def test_an_account_without_email_is_not_vouched_for_by_another_such_account(client):
    article = make_article()
    make_comment(article, user=make_user(email=""), author_email="", body="Approved, no email.")
    client.force_login(make_user(email="", first_name="Newcomer"))

    response = submit(client, article, body="Hello from a new account.")

    comment = Comment.objects.get(body="Hello from a new account.")
    assert (comment.status, comment.status_reason) == (Status.PENDING, "held: first comment")
    assert AWAITING in page_of(response)
    assert front_page_count(article) == "1 comment… add one"


def test_with_hold_first_comment_off_a_new_authors_comment_is_approved(client):
    set_rules(hold_first_comment=False)
    article = make_article()

    response = submit(client, article, body="Straight in.")

    assert Comment.objects.get().status == Status.APPROVED
    assert AWAITING not in page_of(response) and heading(page_of(response)) == "1 comment"
    assert front_page_count(article) == "1 comment… add one"


def test_staff_comments_are_approved_even_when_every_rule_would_hold_them(client):
    set_rules(hold_all=True, moderation_words="casino", max_links=0)
    article = make_article()
    client.force_login(make_user(is_staff=True, first_name="Editor"))

    response = submit(client, article, body="Casino night: https://example.org/casino")

    comment = Comment.objects.get()
    assert (comment.status, comment.status_reason) == (Status.APPROVED, "")
    assert AWAITING not in page_of(response)
    assert shows(page_of(Client().get(article.get_absolute_url())), comment)
    assert front_page_count(article) == "1 comment… add one"


# Pre-moderation


def test_pre_moderation_holds_every_comment_even_from_known_authors(client):
    article = make_article()
    make_comment(article, author_email="sam@example.com", body="Approved earlier.")
    set_rules(hold_all=True, hold_first_comment=False)
    client.force_login(make_user(first_name="Member"))

    anonymous = submit(Client(), article, body="From a known author.")
    member = submit(client, article, body="From a member.")

    held = Comment.objects.filter(status=Status.PENDING).order_by("pk")
    assert [c.body for c in held] == ["From a known author.", "From a member."]
    assert {c.status_reason for c in held} == {"held: every comment is held for review"}
    assert AWAITING in page_of(anonymous) and AWAITING in page_of(member)
    assert heading(page_of(member)) == "1 comment"
    assert front_page_count(article) == "1 comment… add one"


# Links


@pytest.mark.parametrize(
    ("body", "status", "reason", "count"),
    [
        pytest.param(
            "See https://a.example/1 and https://b.example/2 and [this](https://c.example/3).",
            Status.PENDING,
            "held: 3 links",
            "No comments… add one",
            id="three links",
        ),
        pytest.param(
            "See https://a.example/1 and [this](https://b.example/2).",
            Status.APPROVED,
            "",
            "1 comment… add one",
            id="two links",
        ),
    ],
)
def test_more_links_than_max_links_are_held(client, body, status, reason, count):
    assert DiscussionSettings.load().max_links == 2  # the default
    article = make_article()
    known_author()

    response = submit(client, article, body=body)

    comment = Comment.objects.get(article=article)
    assert (comment.status, comment.status_reason) == (status, reason)
    assert page_of(response).count('rel="nofollow ugc noopener"') == body.count("https://")
    assert (AWAITING in page_of(response)) == (status == Status.PENDING)
    assert shows(page_of(Client().get(article.get_absolute_url())), comment) == (
        status == Status.APPROVED
    )
    assert front_page_count(article) == count


# Moderation words and disallowed words

WORDS = "\n  \nCasino\n\n203.0.113.\n"  # one per line; blank and blank-looking lines ignored

MATCHES = [
    pytest.param({"author_name": "CasinoRoyale"}, "casino", id="part of the name"),
    pytest.param({"author_email": "win@CASINO.example"}, "casino", id="email"),
    pytest.param({"author_url": "https://my-casino.example.net/"}, "casino", id="website"),
    pytest.param({"body": "Try the onlinecasino tonight."}, "casino", id="part of a body word"),
    pytest.param({"remote_addr": "203.0.113.9"}, "203.0.113.", id="IP address"),
]


@pytest.mark.parametrize(("fields", "word"), MATCHES)
def test_a_moderation_word_anywhere_holds_the_comment(client, fields, word):
    set_rules(moderation_words=WORDS)
    known_author(fields.get("author_email", "sam@example.com"))
    article = make_article()

    response = submit(client, article, **fields)

    comment = Comment.objects.get(article=article)
    assert (comment.status, comment.status_reason) == (
        Status.PENDING,
        f"held: moderation word “{word}”",
    )
    assert AWAITING in page_of(response)
    assert not shows(page_of(Client().get(article.get_absolute_url())), comment)
    assert front_page_count(article) == "No comments… add one"


def test_blank_lines_in_the_word_lists_match_nothing(client):
    set_rules(moderation_words=WORDS, disallowed_words="\n \n\t\n")
    known_author()
    article = make_article()

    response = submit(client, article, body="Nothing suspicious here.")

    assert Comment.objects.get(article=article).status == Status.APPROVED
    assert heading(page_of(response)) == "1 comment"
    assert front_page_count(article) == "1 comment… add one"


@pytest.mark.parametrize(("fields", "word"), MATCHES)
def test_a_disallowed_word_marks_the_comment_as_spam_and_it_is_never_shown(client, fields, word):
    set_rules(disallowed_words=WORDS)
    article = make_article()

    response = submit(client, article, **fields)

    comment = Comment.objects.get(article=article)
    assert (comment.status, comment.status_reason) == (
        Status.SPAM,
        f"spam: disallowed word “{word}”",
    )
    for page in (page_of(response), page_of(Client().get(article.get_absolute_url()))):
        assert not shows(page, comment) and AWAITING not in page
        assert heading(page) == "No comments yet"
    assert front_page_count(article) == "No comments… add one"


def test_disallowed_words_win_over_every_reason_to_hold(client):
    set_rules(hold_all=True, moderation_words="casino", disallowed_words="casino", max_links=0)
    article = make_article()

    response = submit(client, article, body="casino https://casino.example/")

    comment = Comment.objects.get()
    assert (comment.status, comment.status_reason) == (
        Status.SPAM,
        "spam: disallowed word “casino”",
    )
    assert not shows(page_of(response), comment) and AWAITING not in page_of(response)


# Closing comments on old articles


def test_an_article_older_than_close_after_days_is_closed(client):
    article = make_article(published_at=timezone.now() - timedelta(days=8))
    make_comment(article, body="Written while it was open.")
    set_rules(close_after_days=7)

    page = page_of(client.get(article.get_absolute_url()))
    assert "Comments are closed." in page
    assert 'class="comment-form"' not in page and "replytocom" not in page
    assert "Written while it was open." in page and heading(page) == "1 comment"

    response = submit(client, article, follow=False, body="Too late?")

    assert response.status_code == 400
    assert "Comments are closed." in page_of(response)
    assert (
        '<textarea readonly rows="6" aria-label="Your unposted comment" dir="auto">'
        "Too late?</textarea>" in (page_of(response))
    )
    assert list(Comment.objects.values_list("body", flat=True)) == ["Written while it was open."]
    assert front_page_count(article) == "1 comment… add one"


@pytest.mark.parametrize(
    ("close_after_days", "age"),
    [
        pytest.param(7, timedelta(days=6, hours=23), id="younger than the limit"),
        pytest.param(None, timedelta(days=3650), id="no limit"),
    ],
)
def test_an_article_stays_open_within_close_after_days_or_without_a_limit(
    client, close_after_days, age
):
    set_rules(close_after_days=close_after_days, hold_first_comment=False)
    article = make_article(published_at=timezone.now() - age)
    assert "<form" in page_of(client.get(article.get_absolute_url()))

    response = submit(client, article, body="Still open.")

    comment = Comment.objects.get()
    assert response.redirect_chain == redirects_after_posting(comment)
    assert shows(page_of(response), comment) and "Comments are closed." not in page_of(response)
    assert front_page_count(article) == "1 comment… add one"


# Thread depth


def test_at_max_depth_no_reply_is_offered_and_a_forged_reply_joins_the_deepest_ancestor(client):
    set_rules(max_depth=2, hold_first_comment=False)
    article = make_article()
    root = make_comment(article, body="root")
    deepest = make_comment(article, parent=root, body="deepest")

    page = page_of(client.get(article.get_absolute_url()))
    assert f"?replytocom={root.pk}#respond" in page
    assert f"?replytocom={deepest.pk}" not in page

    response = submit(client, article, parent=str(deepest.pk), body="forged")

    forged = Comment.objects.get(body="forged")
    assert forged.parent == root
    assert draw(article) == [("root", 0), ("deepest", 1), ("forged", 1)]
    assert response.redirect_chain == redirects_after_posting(forged)
    page = page_of(response)
    assert shows(page, forged) and f"?replytocom={forged.pk}" not in page
    assert heading(page) == "3 comments"


def test_with_max_depth_one_there_are_no_replies_and_a_forged_one_starts_a_thread(client):
    set_rules(max_depth=1, hold_first_comment=False)
    article = make_article()
    root = make_comment(article, body="root")

    page = page_of(client.get(article.get_absolute_url()))
    assert shows(page, root) and "replytocom" not in page

    response = submit(client, article, parent=str(root.pk), body="forged")

    assert Comment.objects.get(body="forged").parent is None
    assert draw(article) == [("root", 0), ("forged", 0)]
    assert "replytocom" not in page_of(response) and heading(page_of(response)) == "2 comments"
    assert front_page_count(article) == "2 comments… add one"


# Emailing moderators


@pytest.fixture
def moderators():
    """Who should hear about held comments, and who should not."""
    group = Group.objects.get(name="Moderators")
    boss = make_user(is_superuser=True, is_staff=True, email="boss@example.com")
    boss.groups.add(group)  # in both: still one email
    make_user(is_staff=True, email="mod@example.com").groups.add(group)
    make_user(is_staff=True, email="").groups.add(group)  # no address to write to
    make_user(is_staff=True, email="editor@example.com")  # staff, but not a moderator
    make_user(is_superuser=True, is_active=False, email="retired@example.com")
    return ["boss@example.com", "mod@example.com"]


def test_a_held_comment_emails_superusers_and_moderators_with_an_address(client, moderators):
    set_rules(moderator_mail="each")
    article = make_article(title="Birdwatching")

    response = submit(client, article, author_name="Noor", body="Is anyone there?")
    assert mail.outbox == []  # the request does not send it: a worker does

    run_tasks()
    assert Comment.objects.get().status == Status.PENDING
    assert AWAITING in page_of(response)
    assert sorted(to for message in mail.outbox for to in message.to) == moderators  # one each
    message = mail.outbox[0]
    assert message.subject == "A comment is waiting for review on “Birdwatching”"
    assert "Noor commented on “Birdwatching” (held: first comment)" in message.body
    assert "Is anyone there?" in message.body


@pytest.mark.parametrize(
    ("notify", "known", "status"),
    [
        pytest.param(False, False, Status.PENDING, id="held, notifications off"),
        pytest.param(True, True, Status.APPROVED, id="approved, notifications on"),
    ],
)
def test_no_email_when_notifications_are_off_or_the_comment_is_approved(
    client, moderators, notify, known, status
):
    set_rules(moderator_mail="each" if notify else "off")
    if known:
        known_author()
    article = make_article()

    response = submit(client, article)
    run_tasks()

    assert Comment.objects.get(article=article).status == status
    assert shows(page_of(response), Comment.objects.get(article=article))
    assert not [m for m in mail.outbox if set(m.to) & set(moderators)]
