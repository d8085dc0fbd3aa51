"""Members at the speed of the kept page (issue #29): a reader with a session gets the page
rendered once for every such reader (its shell), with their own parts filled in on each request:
the account links, the messages, the discussion with their form and pending comments, the CSRF
token. Staff get their page rendered whole."""

import re
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import pages
from comments.models import Comment
from core.writes import PIN_COOKIE
from notifications.models import Preferences
from tests.factories import make_article, make_comment, make_moderator, make_user, set_rules
from tests.pages import bodies, page_of, submit

pytestmark = pytest.mark.django_db

HERE = {"HTTP_ORIGIN": "http://testserver"}


def member(**fields):
    client = Client(enforce_csrf_checks=True)
    user = make_user(**fields)
    client.force_login(user)
    return client, user


@pytest.fixture
def now(settings, monkeypatch):
    """The workers' clock, remembering versions for a second as in production: ``now[0] += 1``
    moves it on."""
    settings.PAGE_VERSION_SECONDS = 1
    clock = [1000.0]
    monkeypatch.setattr(pages, "clock", lambda: clock[0])
    return clock


def token_in(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def shells():
    return [value for value in pages._memory.values() if isinstance(value, pages.Shell)]


def test_two_members_share_one_shell_and_each_sees_their_own_name():
    article = make_article()
    make_comment(article, body="first")
    ann, _ = member(first_name="Ann")
    bob, _ = member(first_name="Bob")
    for_ann = page_of(ann.get(article.get_absolute_url()))
    for_bob = page_of(bob.get(article.get_absolute_url()))
    assert len(shells()) == 1
    assert "Commenting as Ann" in for_ann and "Bob" not in for_ann
    assert "Commenting as Bob" in for_bob and "Ann" not in for_bob
    assert bodies(for_ann) == bodies(for_bob) == ["first"]
    assert pages.MARKER not in for_ann + for_bob  # every marker filled


def test_the_page_from_a_shell_is_the_page_rendered_whole(monkeypatch):
    article = make_article()
    make_comment(article, body="first")
    reader, _ = member(first_name="Ann")
    from_shell = page_of(reader.get(article.get_absolute_url()))
    monkeypatch.setattr(pages, "in_shell", lambda request: False)
    whole = page_of(reader.get(article.get_absolute_url()))
    # Each response masks the token anew, and signs the form's clock.
    fresh = re.compile(r'value="[A-Za-z0-9]{64}"|name="shown_at" value="[^"]+"')
    assert fresh.sub("", from_shell) == fresh.sub("", whole)


def test_a_members_form_is_stamped_when_shown_not_when_their_discussion_was_kept(monkeypatch):
    article = make_article()
    make_comment(article)
    reader, _ = member()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    first = page_of(reader.get(article.get_absolute_url()))  # keeps their discussion
    monkeypatch.setattr(time, "time", lambda: now + 30)
    second = page_of(reader.get(article.get_absolute_url()))
    stamps = [re.search(r'name="shown_at" value="([\d.]+):', page)[1] for page in (first, second)]
    assert [float(stamp) for stamp in stamps] == [now, now + 30]  # the bot trap's clock


def test_a_member_posts_with_the_token_the_shell_gave_them():
    article = make_article()
    make_comment(article)
    first, _ = member()
    first.get(article.get_absolute_url())  # makes the shell
    reader, user = member(first_name="Cleo")
    page = page_of(reader.get(article.get_absolute_url()))
    data = {
        "body": "Posted from a shared page.",
        "parent": "",
        "csrfmiddlewaretoken": token_in(page),
    }
    response = reader.post(f"/comments/post/{article.pk}/", data, **HERE)
    assert response.status_code == 302
    assert Comment.objects.get(body="Posted from a shared page.").user == user
    assert "Posted from a shared page." in bodies(page_of(reader.get(article.get_absolute_url())))


def test_the_language_form_in_the_footer_gets_the_readers_token_too():
    article = make_article()
    reader, _ = member()
    page = page_of(reader.get(article.get_absolute_url()))
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) >= 2 and all(len(token) == 64 for token in tokens)
    data = {"language": "fr", "csrfmiddlewaretoken": tokens[-1]}
    response = reader.post("/language/", data, **HERE)
    assert response.status_code == 302


def test_a_members_pending_comment_is_theirs_alone():
    article = make_article()
    make_comment(article, body="everyone's")
    writer, user = member()
    make_comment(article, body="mine to wait", user=user, status=Comment.Status.PENDING)
    other, _ = member()
    other.get(article.get_absolute_url())  # the shell, made for someone else
    mine = page_of(writer.get(article.get_absolute_url()))
    theirs = page_of(other.get(article.get_absolute_url()))
    assert "mine to wait" in bodies(mine) and "Your comment is awaiting moderation." in mine
    assert "mine to wait" not in theirs


def test_a_guest_who_commented_sees_their_held_comment_from_the_shell():
    set_rules(hold_first_comment=True)
    article = make_article()
    make_comment(article, body="everyone's")
    guest = Client()
    submit(guest, article, body="my first words here")
    other, _ = member()
    other.get(article.get_absolute_url())
    page = page_of(guest.get(article.get_absolute_url()))
    assert "my first words here" in bodies(page)
    assert "my first words here" not in bodies(page_of(other.get(article.get_absolute_url())))


def test_a_message_shows_once_on_the_next_page():
    article = make_article()
    reader, user = member()
    comment = make_comment(article, user=user, body="soon gone")
    page = page_of(reader.get(article.get_absolute_url()))
    data = {"csrfmiddlewaretoken": token_in(page)}
    reader.post(f"/comments/{comment.pk}/delete/", data, **HERE)
    shown = page_of(reader.get(article.get_absolute_url()))
    assert "Your comment was deleted." in shown
    assert "Your comment was deleted." not in page_of(reader.get(article.get_absolute_url()))


def test_a_members_new_comment_and_anyone_elses_show_at_once():
    article = make_article()
    reader, _ = member()
    reader.get(article.get_absolute_url())
    make_comment(article, body="just now")
    assert "just now" in bodies(page_of(reader.get(article.get_absolute_url())))


def test_each_language_has_its_own_shell():
    article = make_article()
    reader, _ = member()
    english = page_of(reader.get(article.get_absolute_url()))
    french = page_of(reader.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="en"' in english and '<html lang="fr"' in french
    assert len(shells()) == 2


def test_staff_get_their_page_rendered_whole():
    article = make_article()
    draft = make_article(status="draft", title="Not out yet")
    staff = Client()
    staff.force_login(make_moderator())
    page = page_of(staff.get(article.get_absolute_url()))
    assert 'href="/admin/"' in page
    assert "Not out yet" in page_of(staff.get(draft.get_absolute_url(), follow=True))
    reader, _ = member()
    assert reader.get(draft.get_absolute_url(), follow=True).status_code == 404
    assert shells() == []


def test_a_members_page_is_private_and_a_head_request_has_no_body():
    article = make_article()
    reader, _ = member()
    response = reader.get(article.get_absolute_url())
    assert "private" in response["Cache-Control"] and "Cookie" in response["Vary"]
    head = reader.head(article.get_absolute_url())
    assert head.status_code == 200 and head.content == b""


# A member's own discussion is kept for their next look, under all it shows of them


def email_replies_box(page):
    return re.search(r'<input[^>]*name="email_replies"[^>]*>', page).group(0)


@pytest.mark.parametrize("seconds", [0, 1])
def test_a_members_next_look_shows_their_new_mail_preference(settings, seconds):
    settings.PAGE_VERSION_SECONDS = seconds  # 1: the worker that saved it forgets what it knew
    article = make_article()
    reader, user = member()
    assert "checked" not in email_replies_box(page_of(reader.get(article.get_absolute_url())))
    preferences = Preferences.objects.create(user=user, replies_by_default=True)
    assert "checked" in email_replies_box(page_of(reader.get(article.get_absolute_url())))
    preferences.delete()
    assert "checked" not in email_replies_box(page_of(reader.get(article.get_absolute_url())))


def test_a_preference_changed_by_another_worker_shows_within_a_second_and_never_wrong(now):
    article = make_article()
    reader, user = member()
    url = article.get_absolute_url()

    def ticked(address):
        return "checked" in email_replies_box(page_of(reader.get(address)))

    Preferences.objects.create(user=user)  # then changes no signal tells this worker
    assert not ticked(url)
    Preferences.objects.filter(user=user).update(replies_by_default=True)
    assert not ticked(url + "?page=1")  # rendered now, as the second-old preference says
    now[0] += 1
    assert ticked(url + "?page=1")
    Preferences.objects.filter(user=user).update(replies_by_default=False)
    now[0] += 1
    assert not ticked(url + "?page=1")


def test_edit_goes_from_a_members_comment_when_its_window_closes():
    article = make_article()
    reader, user = member()
    comment = make_comment(article, user=user, body="quick words")
    edit = f'href="/comments/{comment.pk}/edit/'
    assert edit in page_of(reader.get(article.get_absolute_url()))
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert edit not in page_of(reader.get(article.get_absolute_url()))


def test_a_member_with_a_new_name_is_greeted_by_it():
    article = make_article()
    reader, user = member(first_name="Dora")
    assert "Commenting as Dora" in page_of(reader.get(article.get_absolute_url()))
    user.first_name = "Dot"
    user.save()
    assert "Commenting as Dot" in page_of(reader.get(article.get_absolute_url()))


def test_a_members_next_look_costs_one_query_and_follows_a_change_in_a_second(now):
    article = make_article()
    reader, user = member()
    comment = make_comment(article, user=user)
    edit = f'href="/comments/{comment.pk}/edit/'
    assert edit in page_of(reader.get(article.get_absolute_url()))
    with CaptureQueriesContext(connection) as queries:
        reader.get(article.get_absolute_url())
    # The session with its member (accounts.sessions); the article's versions, the member's
    # comments and preferences: a second old at most.
    assert len(queries) == 1 and '"accounts_session"' in queries[0]["sql"]
    set_rules(edit_minutes=0)  # moves every article's versions
    assert edit in page_of(reader.get(article.get_absolute_url()))  # still this second
    now[0] += 1
    assert edit not in page_of(reader.get(article.get_absolute_url()))


def test_a_member_who_wrote_sees_it_at_once_though_the_worker_remembers_the_second(now):
    set_rules(hold_first_comment=False)
    article = make_article()
    make_comment(article, body="first")
    writer, _ = member()
    other, _ = member()
    page = page_of(writer.get(article.get_absolute_url()))
    other.get(article.get_absolute_url())
    data = {"body": "My answer, at once.", "parent": "", "csrfmiddlewaretoken": token_in(page)}
    assert writer.post(f"/comments/post/{article.pk}/", data, **HERE).status_code == 302
    assert PIN_COOKIE in writer.cookies  # it wrote: its pages read the versions afresh
    assert bodies(page_of(writer.get(article.get_absolute_url()))) == ["first", data["body"]]
    assert bodies(page_of(other.get(article.get_absolute_url()))) == ["first"]  # this second
    now[0] += 1
    assert bodies(page_of(other.get(article.get_absolute_url()))) == ["first", data["body"]]


def test_a_comment_held_from_another_browser_shows_within_a_second(now):
    article = make_article()
    make_comment(article, body="first")
    laptop, user = member()
    assert bodies(page_of(laptop.get(article.get_absolute_url()))) == ["first"]
    make_comment(article, body="from my phone", user=user, status=Comment.Status.PENDING)
    assert bodies(page_of(laptop.get(article.get_absolute_url()))) == ["first"]  # this second
    now[0] += 1
    page = page_of(laptop.get(article.get_absolute_url()))
    assert bodies(page) == ["first", "from my phone"]
    assert "Your comment is awaiting moderation." in page
