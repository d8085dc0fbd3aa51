"""Stored counts and the cached discussion (issue #7): exact after every kind of write, and a
cached page never shows a reader anything stale or anyone else's."""

import random
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles.models import Article
from comments import services
from comments.models import Comment
from tests.factories import make_article, make_comment, set_rules
from tests.pages import heading, page_of, shows, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Comment.Status


def fresh_counts(article):
    """What the stored counts must say, counted from scratch."""
    comments = Comment.objects.filter(article=article)
    per_thread = {
        root.tree_id: comments.filter(tree_id=root.tree_id, status=Status.APPROVED).count()
        for root in comments.filter(level=0)
    }
    return {
        "comments": comments.filter(status=Status.APPROVED).count(),
        "threads": sum(n > 0 for n in per_thread.values()),
        "per_thread": per_thread,
    }


def stored_counts(article):
    article = Article.objects.get(pk=article.pk)
    roots = Comment.objects.filter(article=article, level=0)
    return {
        "comments": article.comment_count,
        "threads": article.thread_count,
        "per_thread": dict(roots.values_list("tree_id", "thread_comment_count")),
    }


def test_stored_counts_match_a_fresh_count_after_every_kind_of_change():
    rng = random.Random(7)
    article, other = make_article(), make_article()
    moderator = None
    for step in range(120):
        mine = list(Comment.objects.filter(article=article))
        action = rng.choice(["post", "reply", "reply", "status", "batch", "delete", "report"])
        if action == "post" or not mine:
            make_comment(article, status=rng.choice(list(Status)))
        elif action == "reply":
            parents = [c for c in mine if c.status == Status.APPROVED] or [None]
            make_comment(article, parent=rng.choice(parents), status=rng.choice(list(Status)))
        elif action == "status":
            one = rng.choice(mine)
            services.set_status(Comment.objects.filter(pk=one.pk), rng.choice(list(Status)))
        elif action == "batch":  # one batch across both articles
            make_comment(other)
            picked = [c.pk for c in rng.sample(mine, min(5, len(mine)))]
            picked += list(Comment.objects.filter(article=other).values_list("pk", flat=True))
            services.set_status(Comment.objects.filter(pk__in=picked), rng.choice(list(Status)))
        elif action == "delete":
            services.delete_comment(rng.choice(mine), by=moderator)
        else:
            approved = [c for c in mine if c.status == Status.APPROVED]
            if approved:
                services.report_comment(rng.choice(approved), reporter=f"r{step}", reason="spam")
        assert stored_counts(article) == fresh_counts(article), (step, action)
        assert stored_counts(other) == fresh_counts(other), (step, action)


def test_banning_an_author_moves_the_counts_of_every_article_they_wrote_on():
    first, second = make_article(), make_article()
    troll = {"author_email": "troll@example.com", "author_name": "Troll"}
    for article in (first, second):
        top = make_comment(article)
        make_comment(article, parent=top, **troll)
        make_comment(article, **troll)

    services.ban_author(Comment.objects.filter(author_email="troll@example.com").first(), by=None)

    for article in (first, second):
        assert stored_counts(article) == fresh_counts(article)
        assert Article.objects.get(pk=article.pk).comment_count == 1


def test_recount_repairs_counts_that_were_changed_behind_its_back():
    article = make_article()
    top = make_comment(article)
    make_comment(article, parent=top)
    Article.objects.filter(pk=article.pk).update(comment_count=99, thread_count=7)
    Comment.objects.filter(pk=top.pk).update(thread_comment_count=0)

    services.recount(article)

    assert stored_counts(article) == fresh_counts(article)


# The cached discussion


def test_a_kept_page_costs_one_query_and_a_new_comment_shows_at_once(
    client, django_assert_num_queries
):
    article = make_article()
    make_comment(article, body="first")
    client.get(article.get_absolute_url())  # renders, and keeps, the whole page (#17)
    with django_assert_num_queries(1):  # the article with its versions
        page = page_of(client.get(article.get_absolute_url()))
    assert "<p>first</p>" in page

    submit(Client(), article, body="second")

    page = page_of(client.get(article.get_absolute_url()))
    assert "<p>second</p>" in page and heading(page) == "2 comments"


def test_moderation_and_admin_edits_reach_a_cached_page_at_once(client, admin_client):
    article = make_article()
    kept = make_comment(article, body="kept")
    spam = make_comment(article, body="buy now")
    client.get(article.get_absolute_url())

    admin_client.post(
        reverse("admin:comments_comment_changelist") + "?queue=all",
        {"action": "mark_as_spam", "_selected_action": [spam.pk]},
    )
    change = reverse("admin:comments_comment_change", args=[kept.pk])
    form = {
        "author_name": kept.author_name, "author_email": kept.author_email, "author_url": "",
        "body": "kept, with a typo fixed", "status": "approved",
        "reports-TOTAL_FORMS": 0, "reports-INITIAL_FORMS": 0,
        "moderation_log-TOTAL_FORMS": 0, "moderation_log-INITIAL_FORMS": 0,
        "votes-TOTAL_FORMS": 0, "votes-INITIAL_FORMS": 0,
    }  # fmt: skip
    assert admin_client.post(change, form).status_code == 302

    page = page_of(client.get(article.get_absolute_url()))
    assert "buy now" not in page and "kept, with a typo fixed" in page
    assert heading(page) == "1 comment"


def test_a_held_or_spam_comment_leaves_the_cached_discussion_in_place(client, rules):
    article = make_article()
    make_comment(article, body="public")
    set_rules(hold_all=True)
    client.get(article.get_absolute_url())
    version = Article.objects.get(pk=article.pk).comments_version

    submit(Client(), article, body="held for review")
    submit(Client(), article, body="a bot's", homepage="https://spam.example/")

    assert Comment.objects.filter(article=article).count() == 3
    assert Article.objects.get(pk=article.pk).comments_version == version


def test_a_readers_own_pending_comment_never_reaches_another_readers_cached_page(rules):
    article = make_article()
    make_comment(article, body="public")
    set_rules(hold_all=True)
    writer, reader = Client(), Client()
    reader.get(article.get_absolute_url())

    page = page_of(submit(writer, article, body="mine, held"))
    held = Comment.objects.get(body="mine, held")

    assert shows(page, held) and "Your comment is awaiting moderation." in page
    other = page_of(reader.get(article.get_absolute_url()))
    assert not shows(other, held) and "awaiting moderation" not in other
    assert shows(page_of(writer.get(article.get_absolute_url())), held)  # again, cached for them


def test_the_reply_form_and_its_target_work_on_a_cached_page(client):
    article = make_article()
    top = make_comment(article, author_name="Robin")
    client.get(article.get_absolute_url())

    page = page_of(client.get(f"{article.get_absolute_url()}?replytocom={top.pk}"))

    assert re.search(r'<h2 id="reply-title"[^>]*>Reply to Robin</h2>', page)
    assert f'name="parent" value="{top.pk}"' in page


def test_a_changed_setting_reaches_a_cached_page_at_once(client):
    article = make_article()
    for n in range(3):
        make_comment(article, body=f"thread {n}")
    client.get(article.get_absolute_url())

    set_rules(threads_per_page=2)

    assert "Page 1 of 2" in page_of(client.get(article.get_absolute_url()))


def test_reading_a_discussion_never_writes(client):
    article = make_article()
    make_comment(article, author_name="Early Bird", author_url="https://bird.example/")
    writes = []

    def note_writes(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith("SELECT"):
            writes.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_writes):
        page = page_of(client.get(article.get_absolute_url()))

    assert '<a href="https://bird.example/" rel="nofollow ugc noopener">Early Bird</a>' in page
    assert writes == []
