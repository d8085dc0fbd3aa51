"""The million-comment benchmark's builder (issue #29), at a tiny scale: COPY writes valid trees,
the stored counts posting keeps, current headers, search vectors, and the report renders."""

import pytest
from django.db import connection

from articles.models import Article
from bench import build, bulk
from comments import services
from comments.models import Comment
from comments.trees import tree_errors
from core import freshness

pytestmark = pytest.mark.django_db
SCALE = 0.002  # 2,000 comments in 100 articles


@pytest.fixture
def site():
    return bulk.build_site(SCALE, rng=build.new_rng(), progress=lambda message: None,
                           vacuum=False)  # fmt: skip


def test_the_builder_writes_valid_trees_and_the_counts_posting_keeps(site):
    comments, articles, biggest = bulk.scaled(SCALE)
    assert Comment.objects.count() == site.comments == comments
    assert Article.objects.published().count() == site.articles == articles
    assert tree_errors() == []
    spam = Comment.objects.filter(status="spam").count()
    assert spam == site.spam == round(comments * bulk.SPAM_SHARE)
    assert Comment.objects.filter(article=site.biggest).exclude(status="spam").count() == biggest
    assert not Comment.objects.filter(status="spam", rght__gt=1 + 1, level=0).exists()
    stored = dict(Article.objects.values_list("pk", "comment_count"))
    threads = dict(Comment.objects.filter(level=0).values_list("pk", "thread_comment_count"))
    for article in Article.objects.all():
        services.recount(article)  # from scratch, as after an import
    assert dict(Article.objects.values_list("pk", "comment_count")) == stored
    assert dict(Comment.objects.filter(level=0).values_list("pk", "thread_comment_count")) == (
        threads
    )
    assert not Comment.objects.exclude(markup_version=freshness.MARKUP_VERSION).exists()
    assert not Comment.objects.filter(search_vector=None).exists()
    with connection.cursor() as cursor:  # the indexes dropped for the load are back
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'comment_search_idx'")
        assert cursor.fetchone()[0] == 1


def test_new_comments_take_ids_and_threads_after_the_written_ones(site):
    comment = services.post_comment(article=site.typical, body="After the load.",
                                    author_name="Ada", author_email="ada@example.com")  # fmt: skip
    assert comment.pk > Comment.objects.exclude(pk=comment.pk).order_by("-pk").first().pk
    assert Comment.objects.filter(tree_id=comment.tree_id).count() == 1


@pytest.mark.django_db(transaction=True)  # a fresh worker's connection is closed and made again
def test_the_measurements_run_on_the_written_site_and_the_report_renders(site):
    from bench import big

    rows = []
    for step in (big.pages, big.permalink, big.admin, big.sitemap, big.feeds, big.sizes):
        rows += step(site, rng=build.new_rng(), database_url="")
    assert all(len(row) == 4 for row in rows)
    text = big.markdown(rows, SCALE, seconds=1.0)
    assert "| page 1 cold, biggest discussion" in text
    assert "| sitemap files: the slowest, the most URLs in one |" in text
    assert "same queries" in text and "**MISSED**: [" not in text  # the feeds' queries constant
