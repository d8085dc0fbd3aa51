"""Moderating from the Django admin, driven over HTTP: queue, actions, history, bans, settings."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import services, trees
from comments.models import Ban, Comment, DiscussionSettings, ModerationLog
from tests.factories import draw, make_article, make_comment, make_user
from tests.pages import page_of

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"
Status = Comment.Status


def run_action(client, action, comments, **extra):
    return client.post(
        CHANGELIST + "?queue=all",
        {"action": action, "_selected_action": [c.pk for c in comments], **extra},
        follow=True,
    )


def statuses(comments):
    return [Comment.objects.get(pk=c.pk).status for c in comments]


def test_the_admin_lands_on_the_needs_review_queue(admin_client):
    article = make_article()
    make_comment(article, body="quietly approved")
    make_comment(article, body="waiting for a moderator", status=Status.PENDING)
    reported = make_comment(article, body="reported by readers")
    Comment.objects.filter(pk=reported.pk).update(report_count=2)

    page = page_of(admin_client.get(CHANGELIST))
    assert "waiting for a moderator" in page and "reported by readers" in page
    assert "quietly approved" not in page
    assert "quietly approved" in page_of(admin_client.get(CHANGELIST + "?queue=all"))


def test_the_queue_is_newest_first_and_shows_author_email_ip_status_and_reports(admin_client):
    article = make_article(title="Birdwatching")
    make_comment(article, body="older one", status=Status.PENDING)
    make_comment(
        article, body="newer one", status=Status.PENDING, author_name="Olu",
        author_email="olu@example.com", ip_address="198.51.100.4",
    )  # fmt: skip
    page = page_of(admin_client.get(CHANGELIST))
    assert page.index("newer one") < page.index("older one")
    for shown in ("Olu", "olu@example.com", "198.51.100.4", "Birdwatching", "Pending"):
        assert shown in page


@pytest.mark.parametrize(
    ("action", "start", "end", "message"),
    [
        ("approve", Status.PENDING, Status.APPROVED, "2 comments approved."),
        ("mark_as_spam", Status.PENDING, Status.SPAM, "2 comments marked as spam."),
        ("remove", Status.APPROVED, Status.REMOVED, "2 comments removed."),
        ("approve", Status.REMOVED, Status.APPROVED, "2 comments approved."),
    ],
)
def test_each_bulk_action_changes_status_logs_it_and_updates_the_site(
    client, moderator, action, start, end, message
):
    article = make_article()
    selected = [make_comment(article, body=f"selected {n}", status=start) for n in range(2)]
    make_comment(article, body="left alone")

    response = run_action(client, action, selected)

    assert message in page_of(response)
    assert statuses(selected) == [end, end]
    log = ModerationLog.objects.filter(comment__in=selected)
    assert (
        sorted(log.values_list("from_status", "to_status", "moderator"))
        == [(start, end, moderator.pk)] * 2
    )
    client.logout()
    visible = end == Status.APPROVED
    page = page_of(client.get(article.get_absolute_url()))
    assert ("selected 0" in page) is visible
    count = "3 comments" if visible else "1 comment"
    assert f"{count}… add one" in page_of(client.get("/"))


def test_a_bulk_action_makes_the_same_updates_however_many_comments(admin_client):
    """One UPDATE of the statuses, one of the threads' counts (#7) and one of when they were first
    shown (#13), for 2 or 20 comments."""
    article = make_article()
    few = [make_comment(article, status=Status.PENDING) for _ in range(2)]
    many = [make_comment(article, status=Status.PENDING) for _ in range(20)]
    updates = []
    for batch in (few, many):
        with CaptureQueriesContext(connection) as queries:
            run_action(admin_client, "approve", batch)
        updates.append(sum(q["sql"].startswith('UPDATE "comments_comment"') for q in queries))
    assert updates == [3, 3]


def test_the_stock_bulk_delete_is_replaced_by_one_that_keeps_the_tree(admin_client):
    article = make_article()
    parent = make_comment(article, body="has a reply")
    make_comment(article, parent=parent, body="the reply")
    leaf = make_comment(article, body="lonely leaf")

    page = page_of(admin_client.get(CHANGELIST + "?queue=all"))
    assert 'value="delete_selected"' not in page
    response = run_action(admin_client, "delete_comments", [parent, leaf])

    assert "1 comment deleted. 1 kept as a placeholder for its replies." in page_of(response)
    assert draw(article) == [("", 0), ("the reply", 1)]
    assert trees.tree_errors() == []
    assert "This comment was removed." in page_of(admin_client.get(article.get_absolute_url()))


def test_deleting_one_comment_from_its_page_goes_through_the_service(admin_client):
    article = make_article()
    parent = make_comment(article, body="parent")
    make_comment(article, parent=parent, body="child")
    response = admin_client.post(f"{CHANGELIST}{parent.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert draw(article) == [("", 0), ("child", 1)]  # the reply was not deleted with it


def test_filters_and_search_find_comments(admin_client):
    gardening, cooking = make_article(title="Gardening"), make_article(title="Cooking")
    first = make_comment(gardening, body="tomatoes", author_email="ana@example.com")
    make_comment(gardening, body="basil", author_email="ana@example.com", ip_address="192.0.2.77")
    make_comment(cooking, body="pasta", author_name="Bruno", status=Status.SPAM)
    Comment.objects.filter(pk=first.pk).update(report_count=1)

    def listed(query):
        page = page_of(admin_client.get(f"{CHANGELIST}?queue=all&{query}"))
        return sorted(body for body in ("tomatoes", "basil", "pasta") if body in page)

    assert listed("status__exact=spam") == ["pasta"]
    assert listed(f"article__id__exact={gardening.pk}") == ["basil", "tomatoes"]
    assert listed("reported=yes") == ["tomatoes"]
    assert listed("first=yes") == ["pasta", "tomatoes"]
    assert listed("q=Bruno") == ["pasta"]
    assert listed("q=ana@example") == ["basil", "tomatoes"]
    assert listed("q=192.0.2.77") == ["basil"]
    assert listed("q=basil") == ["basil"]
    assert listed(f"created_at__year={timezone.now().year}") == ["basil", "pasta", "tomatoes"]
    assert listed("created_at__year=1999") == []


def test_a_comments_page_links_to_the_thread_and_shows_reports_and_its_log(admin_client):
    article = make_article()
    comment = make_comment(article, body="look at me")
    services.report_comment(comment, reporter="session:abc", reason="spam", text="selling shoes")
    services.set_status(Comment.objects.filter(pk=comment.pk), Status.REMOVED, reason="rude")

    page = page_of(admin_client.get(f"{CHANGELIST}{comment.pk}/change/"))
    assert f'href="/comments/{comment.pk}/">View in thread' in page
    assert admin_client.get(f"/comments/{comment.pk}/")["Location"] == (
        f"{article.get_absolute_url()}#comment-{comment.pk}"
    )
    assert "selling shoes" in page
    assert "Approved" in page and "Removed" in page and "rude" in page


def test_changing_the_status_on_a_comments_page_is_logged(admin_client):
    comment = make_comment(make_article(), body="edit me", status=Status.PENDING)
    data = {"author_name": comment.author_name, "author_email": comment.author_email,
            "author_url": "", "body": "edited text", "status": "approved",
            "reports-TOTAL_FORMS": 0, "reports-INITIAL_FORMS": 0,
            "moderation_log-TOTAL_FORMS": 0, "moderation_log-INITIAL_FORMS": 0,
            "votes-TOTAL_FORMS": 0, "votes-INITIAL_FORMS": 0}  # fmt: skip
    response = admin_client.post(f"{CHANGELIST}{comment.pk}/change/", data)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Status.APPROVED, "edited text")
    assert comment.body_html == "<p>edited text</p>\n"
    assert list(comment.moderation_log.values_list("from_status", "to_status")) == [
        ("pending", "approved")
    ]


def test_the_authors_history_counts_their_comments_and_bans_them(admin_client, client):
    article = make_article()
    first = make_comment(article, body="one", author_email="troll@example.com")
    make_comment(article, body="two", author_email="troll@example.com", status=Status.SPAM)
    make_comment(article, body="not theirs")

    history = page_of(admin_client.get(f"{CHANGELIST}{first.pk}/author/"))
    assert "troll@example.com" in history
    assert "<td>0</td><td>1</td><td>1</td><td>0</td><td>2</td>" in history.replace("\n", "")
    # pending, approved, spam, removed, total  ^

    response = admin_client.post(
        f"{CHANGELIST}{first.pk}/author/ban/", {"reason": "trolling"}, follow=True
    )
    assert "Banned troll@example.com and removed 2 comments." in page_of(response)
    assert Ban.objects.get().reason == "trolling"
    assert (
        statuses(Comment.objects.filter(author_email="troll@example.com")) == [Status.REMOVED] * 2
    )
    refused = client.post(
        f"/comments/post/{article.pk}/",
        {"body": "I am back", "author_name": "T", "author_email": "Troll@example.com"},
    )
    assert refused.status_code == 400
    assert "Sorry, this site is not accepting your comments" in page_of(refused)


def test_the_admin_index_shows_counts_and_a_chart_of_thirty_days(admin_client):
    article = make_article()
    make_comment(article, status=Status.PENDING)
    make_comment(article, status=Status.SPAM)
    make_comment(article, status=Status.SPAM)
    reported = make_comment(article)
    Comment.objects.filter(pk=reported.pk).update(report_count=1)

    page = page_of(admin_client.get("/admin/"))
    assert "<strong>1</strong> pending" in page
    assert "<strong>1</strong> reported" in page
    assert "<strong>2</strong> spam" in page
    assert page.count('class="bar-spam"') == 1 and page.count('class="bar-pending"') == 1
    assert "<svg" in page and "<script" not in page.split('id="moderation-overview"')[1][:5000]


def test_the_dashboard_query_count_does_not_grow_with_comments(
    admin_client, django_assert_num_queries
):
    article = make_article()
    admin_client.get("/admin/")  # warm the session
    with CaptureQueriesContext(connection) as empty:
        admin_client.get("/admin/")
    for _ in range(30):
        make_comment(article)
    with django_assert_num_queries(len(empty)):
        admin_client.get("/admin/")


def test_discussion_settings_are_one_page_and_apply_at_once(admin_client, client):
    response = admin_client.get("/admin/comments/discussionsettings/")
    assert response.status_code == 302 and response["Location"].endswith("/1/change/")
    form = {"hold_all": "", "hold_first_comment": "", "max_links": 0, "moderation_words": "",
            "disallowed_words": "", "close_after_days": "", "max_depth": 10,
            "threads_per_page": 50, "comments_per_page": 150, "reports_to_hold": 3,
            "flood_seconds": 0,
            "new_author_flood_seconds": 0, "duplicate_window": 300, "min_fill_seconds": 0,
            "login_failure_limit": 5, "login_lockout_minutes": 15, "edit_minutes": 15,
            "ip_retention_days": 90, "moderator_mail": "each",
            "follow_batch_minutes": 15, "votes_per_ip_per_hour": 60,
            "spam_threshold": 0.9, "hold_threshold": 0.5, "spam_min_examples": 20,
            "spam_retrain_after": 50, "default_sort": "oldest"}  # fmt: skip
    assert (
        admin_client.post("/admin/comments/discussionsettings/1/change/", form).status_code == 302
    )
    assert DiscussionSettings.load().max_links == 0

    article = make_article()
    client.post(
        f"/comments/post/{article.pk}/",
        {"body": "see https://example.org", "author_name": "L", "author_email": "l@example.com"},
    )
    assert Comment.objects.get().status_reason == "held: 1 links"
    assert admin_client.get("/admin/comments/discussionsettings/add/").status_code == 403


def test_bans_are_added_in_the_admin_with_an_ip_range(admin_client):
    response = admin_client.post(
        "/admin/comments/ban/add/",
        {
            "email": "",
            "network": "203.0.113.7/24",
            "reason": "flood",
            "ends_at_0": "",
            "ends_at_1": "",
        },
    )
    assert response.status_code == 302
    assert Ban.objects.get().network == "203.0.113.0/24"
    invalid = admin_client.post(
        "/admin/comments/ban/add/", {"email": "", "network": "", "reason": "nothing"}
    )
    assert "Ban a user, an email address or an IP address" in page_of(invalid)


def test_a_moderator_logs_in_and_lands_on_the_queue(client):
    user = make_user(is_staff=True, username="mod")
    user.set_password("a long passphrase")
    user.save()
    user.groups.add(Group.objects.get(name="Moderators"))
    make_comment(make_article(), body="held for a moderator", status=Status.PENDING)

    response = client.post(
        "/admin/login/?next=/admin/comments/comment/",
        {"username": "mod", "password": "a long passphrase", "next": "/admin/comments/comment/"},
        follow=True,
    )
    page = page_of(response)
    assert response.redirect_chain[-1][0] == "/admin/comments/comment/"
    assert "held for a moderator" in page and "Needs review" in page


def test_only_staff_reach_the_admin(client):
    client.force_login(make_user())
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_moderator_may_run_actions_but_not_edit_articles_or_bans(client, moderator):
    comment = make_comment(make_article(), status=Status.PENDING)
    assert 'value="approve"' in page_of(client.get(CHANGELIST))
    run_action(client, "approve", [comment])
    assert statuses([comment]) == [Status.APPROVED]
    assert client.get("/admin/articles/article/").status_code == 403
    assert client.get("/admin/comments/ban/").status_code == 403


def test_a_user_with_view_permission_only_sees_no_actions_and_cannot_run_them(client):
    viewer = make_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = make_comment(make_article(), body="just looking", status=Status.PENDING)

    page = page_of(client.get(CHANGELIST))
    assert "just looking" in page and 'name="action"' not in page
    assert "Ban this author" not in page_of(client.get(f"{CHANGELIST}{comment.pk}/author/"))
    run_action(client, "approve", [comment])
    assert statuses([comment]) == [Status.PENDING]
    assert client.post(f"{CHANGELIST}{comment.pk}/author/ban/").status_code == 403
    assert not Ban.objects.exists()


def test_the_moderators_group_holds_exactly_view_and_change_on_comments_and_pictures():
    group = Group.objects.get(name="Moderators")
    assert sorted(group.permissions.values_list("codename", flat=True)) == [
        "change_avatar",  # members' uploaded pictures wait for a moderator too (#28)
        "change_comment",
        "view_avatar",
        "view_comment",
    ]


def test_the_list_of_all_comments_takes_postgresqls_estimate_instead_of_counting_the_table(
    admin_client, monkeypatch
):
    from comments.admin import filters as comments_admin

    article = make_article()
    for n in range(6):
        make_comment(article, body=f"comment {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")  # as autovacuum would have
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'comments_comment'")
        estimate = int(cursor.fetchone()[0])
    assert estimate >= 6
    monkeypatch.setattr(comments_admin, "ESTIMATE_FROM", 1)  # a large table, for this test
    url = "/admin/comments/comment/?queue=all"
    with CaptureQueriesContext(connection) as queries:
        page = page_of(admin_client.get(url))
    counts = [
        q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "comments_comment" in q["sql"]
    ]
    assert [sql for sql in counts if " WHERE " not in sql] == []  # no count of the whole table
    assert f"{estimate} comments" in page
    assert "comment 5" in page
    # filtered, the list is counted exactly
    page = page_of(admin_client.get("/admin/comments/comment/?queue=all&status__exact=spam"))
    assert "0 comments" in page


def test_the_article_filter_offers_the_articles_commented_on_last_and_the_one_chosen(
    admin_client,
):
    quiet, *busy = [make_article(title=f"Article number {n}") for n in range(12)]
    make_comment(quiet, body="long ago")
    for article in busy:
        make_comment(article, body=f"about {article.title}")

    def offered(page, article):
        return re.search(rf"article__id__exact={article.pk}(?!\d)", page) is not None

    page = page_of(admin_client.get(f"{CHANGELIST}?queue=all"))
    assert all(offered(page, article) for article in busy[-10:])
    assert not offered(page, quiet)  # not among the ten commented on last
    chosen = page_of(admin_client.get(f"{CHANGELIST}?queue=all&article__id__exact={quiet.pk}"))
    assert "long ago" in chosen and "about Article" not in chosen
    assert offered(chosen, quiet)  # offered once chosen
    assert admin_client.get(f"{CHANGELIST}?article__id__exact=junk").status_code == 200


def test_an_article_id_past_any_id_lists_nothing_and_never_fails(admin_client):
    make_comment(make_article(), body="still here")
    huge = "9" * 30  # past PostgreSQL's bigint: no article at all, not a database error
    page = page_of(admin_client.get(f"{CHANGELIST}?queue=all&article__id__exact={huge}"))
    assert "still here" not in page
