"""Repeated comments (issue #5): the same text twice from one writer is refused for a while."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.factories import draw, make_article, make_comment, make_user, set_rules
from tests.pages import form_errors, heading, page_of, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]


ALREADY_SAID = "You have already said that."


def test_the_same_text_twice_from_the_same_email_is_refused(client):
    article = make_article()
    assert submit(client, article, follow=False, body="Me too.").status_code == 302

    response = submit(
        client,
        article,
        follow=False,
        body="Me too.",
        author_name="Sam again",
        author_email="SAM@Example.com",
    )

    assert response.status_code == 400
    page = page_of(response)
    assert form_errors(page) == [ALREADY_SAID]
    assert ">\nMe too.</textarea>" in page  # the text is kept
    assert draw(article) == [("Me too.", 0)]


def test_the_same_text_twice_from_the_same_user_is_refused(client):
    client.force_login(make_user())
    article = make_article()
    assert submit(client, article, follow=False, body="Me too.").status_code == 302
    first = Comment.objects.get()

    response = submit(client, article, follow=False, body="Me too.", parent=str(first.pk))

    assert response.status_code == 400
    assert form_errors(page_of(response)) == [ALREADY_SAID]
    assert draw(article) == [("Me too.", 0)]


def test_a_repeat_refused_as_a_reply_is_kept_as_a_reply(client):
    article = make_article()
    top = make_comment(article, author_name="Noor")
    submit(client, article, follow=False, body="Agreed.")
    response = submit(client, article, follow=False, body="Agreed.", parent=str(top.pk))
    page = page_of(response)
    assert response.status_code == 400
    assert "Reply to Noor" in page and f'name="parent" value="{top.pk}"' in page
    assert form_errors(page) == [ALREADY_SAID]


def another_article(article):
    return {"article": make_article()}


def another_text(article):
    return {"body": "Me three."}


def another_author(article):
    return {"author_email": "kim@example.com"}


@pytest.mark.parametrize("change", [another_article, another_text, another_author])
def test_a_repeat_on_another_article_with_another_text_or_by_another_author_is_accepted(
    client, change
):
    article = make_article()
    submit(client, article, follow=False, body="Me too.")
    fields = {"article": article, "body": "Me too.", **change(article)}

    response = submit(client, fields.pop("article"), follow=False, **fields)

    assert response.status_code == 302
    assert Comment.objects.count() == 2


def test_with_the_window_at_zero_repeats_are_accepted(client):
    set_rules(duplicate_window=0)
    article = make_article()
    submit(client, article, follow=False, body="Me too.")
    response = submit(client, article, body="Me too.")
    assert response.status_code == 200
    assert draw(article) == [("Me too.", 0), ("Me too.", 0)]
    assert heading(page_of(response)) == "2 comments"


def test_the_same_text_is_accepted_again_once_the_window_has_passed(client):
    article = make_article()
    submit(client, article, follow=False, body="Me too.")
    first = Comment.objects.get()

    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=290))
    assert submit(client, article, follow=False, body="Me too.").status_code == 400

    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=301))
    response = submit(client, article, body="Me too.")
    assert response.status_code == 200
    assert draw(article) == [("Me too.", 0), ("Me too.", 0)]


def test_a_refused_repeat_from_a_new_author_is_not_held_either(client):
    set_rules(hold_first_comment=True)
    article = make_article()
    submit(client, article, follow=False, body="Is this on?")
    response = submit(client, article, follow=False, body="Is this on?")
    assert response.status_code == 400
    assert form_errors(page_of(response)) == [ALREADY_SAID]
    assert list(Comment.objects.values_list("status", flat=True)) == [Comment.Status.PENDING]
