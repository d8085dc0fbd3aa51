"""Moving from Disqus, and out again as a WordPress export (issue #14)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.models import Comment
from comments.trees import tree_errors
from tests.factories import make_article, make_comment
from tests.wxr import comment, disqus_export, export, post

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def articles():
    return make_article(title="Hello", slug="hello"), make_article(title="Other", slug="other")


def disqus_file(tmp_path, articles, **options):
    hello, other = articles
    threads = [(1, f"https://old.example{hello.get_absolute_url()}", "Hello"),
               (2, f"http://www.old.example{hello.get_absolute_url()}?utm=x", "Hello again"),
               (3, "https://old.example/never/was/", "Gone")]  # fmt: skip
    posts = [{"id": 11, "thread": 1, "message": "<p>First!</p>", "date": "2019-02-01T10:00:00Z"},
             {"id": 12, "thread": 1, "parent": 11, "date": "2019-02-02T10:00:00Z"},
             {"id": 13, "thread": 2, "parent": 12, "date": "2019-02-03T10:00:00Z"},
             {"id": 14, "thread": 1, "spam": True}, {"id": 15, "thread": 2, "deleted": True},
             {"id": 16, "thread": 3}]  # fmt: skip
    return write(tmp_path, "disqus.xml", disqus_export(threads, posts, **options))


def test_disqus_threads_find_their_articles_by_address_and_keep_their_replies(tmp_path, articles):
    path = disqus_file(tmp_path, articles)

    output = run("import_disqus", path, "--site-url", "https://old.example")

    hello = articles[0]
    got = {c.source_id: c for c in Comment.objects.filter(article=hello)}
    assert got["12"].parent == got["11"] and got["13"].parent == got["12"]  # across both links
    assert got["13"].level == 2 and tree_errors() == []
    assert (got["14"].status, got["15"].status) == ("spam", "removed")
    assert got["11"].source == "disqus:oldforum" and got["11"].body_html == "<p>First!</p>\n"
    assert "never/was" in output and "1 posts left out" in output  # reported, not guessed
    assert not Comment.objects.filter(source_id="16").exists()
    hello.refresh_from_db()
    assert hello.comment_count == 3


def test_importing_the_same_disqus_export_again_changes_nothing(tmp_path, articles):
    path = disqus_file(tmp_path, articles)
    run("import_disqus", path, "--site-url", "https://old.example")
    before = list(Comment.objects.order_by("pk").values_list("pk", "parent", "lft", "status"))

    run("import_disqus", path, "--site-url", "https://old.example")

    after = list(Comment.objects.order_by("pk").values_list("pk", "parent", "lft", "status"))
    assert after == before


def test_without_the_old_address_or_a_map_nothing_is_guessed(tmp_path, articles):
    output = run("import_disqus", disqus_file(tmp_path, articles))

    assert not Comment.objects.exists()
    assert "posts of threads without an article" in output


def test_a_map_file_names_the_article_of_a_thread(tmp_path, articles):
    mapping = write(
        tmp_path, "map.csv", "# thread, article\nhttps://old.example/never/was/,other\n"
    )

    run("import_disqus", disqus_file(tmp_path, articles), "--map", mapping)

    assert Comment.objects.get(source_id="16").article == articles[1]


def test_a_broken_map_or_export_is_one_clear_error(tmp_path, articles):
    bad_map = write(tmp_path, "bad.csv", "only-one-column\n")
    with pytest.raises(CommandError, match="Map file row 1"):
        run("import_disqus", disqus_file(tmp_path, articles), "--map", bad_map)
    whole = (tmp_path / "disqus.xml").read_text()
    cut = write(tmp_path, "cut.xml", whole[:900])
    with pytest.raises(CommandError, match=r"at line \d+, column \d+"):
        run("import_disqus", cut)
    assert not Comment.objects.exists()


def test_disqus_threads_find_articles_imported_from_wordpress_by_their_old_address(tmp_path):
    run("import_wordpress", write(tmp_path, "wp.xml", export(post(5, "Was on WordPress"))))
    threads = [(1, "https://old.example/?p=5", "Was on WordPress")]

    run("import_disqus", write(tmp_path, "d.xml", disqus_export(threads, [{"id": 1, "thread": 1}])))

    assert Comment.objects.get().article.title == "Was on WordPress"


# Exporting.


def test_a_round_trip_gives_the_same_articles_trees_and_statuses(tmp_path, django_db_blocker):
    # Titles and names are HTML in WordPress: the export escapes them, the import reads them (#24).
    source = make_article(title="Round & <trip> &amp; back", slug="round-trip")
    root = make_comment(source, body="A *root* with <b>markup</b>", author_name="Tom &amp; <Jerry>")
    reply = make_comment(source, parent=root, body="A reply")
    make_comment(source, parent=reply, body="Held", status=Comment.Status.PENDING)
    make_comment(source, body="Spam", status=Comment.Status.SPAM)
    path = str(tmp_path / "export.xml")
    run("export_wordpress", "-o", path)

    def shape(article):  # WXR dates are to the second
        return [
            (c.level, c.status, c.author_name, c.body_html, c.created_at.replace(microsecond=0))
            for c in Comment.objects.filter(article=article).order_by("tree_id", "lft")
        ]

    expected_article = (source.title, source.slug, source.status,
                        source.published_at.replace(microsecond=0))  # fmt: skip
    expected_comments = shape(source)
    body_html = source.body_html

    # Into an empty database: the same article and threads.
    Comment.objects.all().delete()
    Article.objects.all().delete()
    run("import_wordpress", path)
    copy = Article.objects.get()
    assert (copy.title, copy.slug, copy.status, copy.published_at) == expected_article
    assert copy.body_html == body_html
    assert shape(copy) == expected_comments
    assert tree_errors() == []


def test_reimporting_an_export_into_its_own_site_changes_nothing(tmp_path):
    article = make_article(title="Own", slug="own")
    root = make_comment(article, body="Root")
    make_comment(article, parent=root, body="Reply", status=Comment.Status.PENDING)
    path = str(tmp_path / "export.xml")
    run("export_wordpress", "--article", "own", "-o", path)
    before = list(Comment.objects.order_by("pk").values_list("pk", "lft", "rght", "status"))

    output = run("import_wordpress", path)

    assert list(Comment.objects.order_by("pk").values_list("pk", "lft", "rght", "status")) == before
    assert Article.objects.count() == 1
    assert "unchanged" in output and "created" not in output


def test_an_unknown_article_slug_is_an_error():
    with pytest.raises(CommandError, match="No article has the slug"):
        run("export_wordpress", "--article", "nope")


def test_imported_comments_export_with_their_own_html(tmp_path):
    comments = [comment(1, body="Line one\nline two"), comment(2, kind="pingback")]
    run("import_wordpress", write(tmp_path, "wp.xml", export(post(1, comments=comments))))

    text = run("export_wordpress")

    assert "<![CDATA[Line one\nline two]]>" in text
    assert "<wp:comment_type>pingback</wp:comment_type>" in text
