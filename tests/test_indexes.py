"""Every query a page or a post makes finds its rows through an index (issue #7).

The discussion is seeded the way the benchmark builds one (realistic threads, bulk-written),
analysed, and each query's plan is read with EXPLAIN: none may scan the comments table.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bench import build
from comments.models import THREAD_PAGE, Comment, Sort
from comments.services.limits import address_network

pytestmark = pytest.mark.django_db
SIZE = 4000


@pytest.fixture
def discussion():
    rng = build.new_rng()
    rules = build.rules_for_benchmarks()
    built = build.build_discussion(
        SIZE, pools=build.make_pools(rng), rng=rng, max_depth=rules.max_depth
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    return built.article


def page_queries(article):
    """The queries of the article page, the thread page, posting and the moderation queue."""
    comments = Comment.objects
    roots = list(comments.threads(article)[:50])
    root = roots[-1]
    reply = comments.filter(tree_id=root.tree_id).order_by("-lft").first()
    since = timezone.now() - timedelta(seconds=30)
    return {
        "page of threads, oldest": comments.threads(article)[:50],
        "page of threads, newest": comments.threads(article, sort="newest")[:50],
        "page of threads, most replies": comments.threads(article, sort="replies")[:50],
        "the threads' comments": comments.for_article(article).filter(
            tree_id__in=[r.tree_id for r in roots]
        ),
        "thread page": comments.subtree(root),
        "permalink's place": comments.threads(article).filter(created_at__lt=root.created_at),
        "reply target": comments.shown_to(article).filter(pk=reply.pk),
        "flood check": comments.recent_by_poster(
            email=reply.author_email, network=address_network(reply.ip_address), since=since
        )[:1],
        "thread recount": comments.approved().filter(tree_id__in=[root.tree_id]),
        "moderation queue": comments.needing_review().order_by("-created_at")[:100],
    }


def test_no_page_query_scans_the_comments_table(discussion):
    scans = {
        name: plan
        for name, plan in ((n, q.explain()) for n, q in page_queries(discussion).items())
        if "Seq Scan on comments_comment" in plan
    }
    assert scans == {}


def test_each_order_of_threads_has_an_index_holding_all_a_page_of_them_reads(discussion):
    # Page 700 of a long discussion then skips the threads before it in the index alone, once
    # VACUUM has marked the table's pages (#29): a far page took 45 ms, now 5.
    for sort in Sort.values:
        page = Comment.objects.threads(discussion, sort=sort).values_list(*THREAD_PAGE)[200:220]
        plan = page.explain()
        index = re.search(r"Index (?:Only )?Scan(?: Backward)? using (\w+)", plan).group(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
            definition = cursor.fetchone()[0]
        assert index.startswith("comment_pages"), (sort, plan)
        assert all(column in definition for column in THREAD_PAGE), (sort, definition)
