"""Categories, tags and archive pages (issue #28): articles filed under nested categories and
tagged, edited in the admin, and browsed by topic, tag, date and author, each archive
paginated, with feeds, in the sitemap and described for search engines."""

import json
import re
from datetime import datetime
from io import StringIO

import feedparser
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Profile
from articles.models import Article
from redirects.models import Redirect
from taxonomy.models import Category, Tag
from tests.factories import make_article, make_user
from tests.pages import page_of, sitemap_files
from tests.wxr import export, on_post, post, wp_category, wp_tag

pytestmark = pytest.mark.django_db


def category(name, parent=None, **fields):
    return Category.objects.create(name=name, slug=fields.pop("slug", name.lower()),
                                   parent=parent, **fields)  # fmt: skip


def tag(name, **fields):
    return Tag.objects.create(name=name, slug=fields.pop("slug", name.lower()), **fields)


def json_ld(page):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(raw) for raw in scripts]


def titles(page):
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', page)


@pytest.fixture
def topics():
    """Nature > Water > Ponds, and Cities beside them."""
    nature = category("Nature", description="Outdoors.")
    water = category("Water", parent=nature)
    ponds = category("Ponds", parent=water)
    return nature, water, ponds, category("Cities")


# The taxonomy itself.


def test_a_category_lives_at_the_path_of_its_parents(topics):
    nature, water, ponds, _ = topics
    assert ponds.path == "nature/water/ponds"
    assert ponds.get_absolute_url() == "/category/nature/water/ponds/"
    assert list(Category.objects.ancestors_of(ponds)) == [nature, water]


def test_moving_or_renaming_a_category_moves_every_category_below_it(topics):
    nature, water, ponds, cities = topics
    water.parent, water.slug = cities, "rivers"
    water.save()
    ponds.refresh_from_db()
    assert ponds.path == "cities/rivers/ponds"
    assert list(Category.objects.with_subcategories(cities).order_by("path")) == [
        cities, water, ponds,
    ]  # fmt: skip


def test_renaming_a_category_in_the_admin_keeps_its_old_address(admin_client, client, topics):
    _, water, _, _ = topics
    admin_client.post(f"/admin/taxonomy/category/{water.pk}/change/",
                      {"name": "Rivers", "slug": "rivers", "parent": water.parent_id})  # fmt: skip
    response = client.get("/category/nature/water/")
    assert response.headers["Location"] == "/category/nature/rivers/"
    # Below it, addresses find their category by its own slug, and answer at the new path.
    assert client.get("/category/nature/water/ponds/").headers["Location"] == (
        "/category/nature/rivers/ponds/"
    )


def test_the_admin_refuses_a_category_below_itself(admin_client, topics):
    nature, _, ponds, _ = topics
    response = admin_client.post(
        f"/admin/taxonomy/category/{nature.pk}/change/",
        {"name": "Nature", "slug": "nature", "parent": ponds.pk, "description": ""},
    )
    assert response.status_code == 200
    assert "That category is below this one" in page_of(response)
    nature.refresh_from_db()
    assert nature.parent is None


def test_a_slug_that_is_part_of_our_addresses_is_refused_in_the_admin(admin_client):
    response = admin_client.post("/admin/taxonomy/category/add/",
                                 {"name": "Feed", "slug": "feed", "description": ""})  # fmt: skip
    assert "is part of this site" in page_of(response)
    assert not Category.objects.exists()


def test_the_admin_refuses_a_name_with_invisible_characters(admin_client):
    typed = {"name": "gnp.\u202eexe", "slug": "x", "description": ""}
    response = admin_client.post("/admin/taxonomy/tag/add/", typed)
    assert "Remove the invisible character U+202E" in page_of(response)
    assert not Tag.objects.exists()


def test_the_article_admin_picks_categories_and_tags_by_autocomplete(admin_client, topics):
    tag("Frogs")
    page = page_of(admin_client.get("/admin/articles/article/add/"))
    assert "data-autocomplete-light-url" not in page  # Django's own widget, not a plugin
    assert page.count("admin-autocomplete") >= 2
    found = admin_client.get("/admin/autocomplete/", {
        "app_label": "articles", "model_name": "article", "field_name": "tags", "term": "fro",
    }).json()  # fmt: skip
    assert [r["text"] for r in found["results"]] == ["Frogs"]


def test_merging_tags_asks_which_to_keep_then_moves_their_articles(admin_client):
    keep, typo, plural = tag("Frog"), tag("Forg", slug="forg"), tag("Frogs")
    one, two = make_article(title="One"), make_article(title="Two")
    one.tags.add(typo, keep)
    two.tags.add(plural)
    selected = {"action": "merge_tags", "_selected_action": [typo.pk, plural.pk]}

    confirm = admin_client.post("/admin/taxonomy/tag/", selected)
    assert "Merge them into" in page_of(confirm) and "Forg (forg)" in page_of(confirm)
    assert Tag.objects.count() == 3  # nothing changed yet

    done = admin_client.post("/admin/taxonomy/tag/", {**selected, "apply": "1",
                                                      "into": keep.pk}, follow=True)  # fmt: skip
    assert "2 tags were merged into “Frog”." in page_of(done)
    assert list(Tag.objects.all()) == [keep]
    assert set(keep.articles.all()) == {one, two}
    assert Redirect.objects.get(path="/tag/forg").target == keep
    assert admin_client.get("/tag/forg/").headers["Location"] == "/tag/frog/"


def test_merging_a_tag_into_itself_alone_is_an_error_beside_the_choice(admin_client):
    only = tag("Frog")
    response = admin_client.post(
        "/admin/taxonomy/tag/",
        {"action": "merge_tags", "_selected_action": [only.pk], "apply": "1", "into": only.pk},
    )
    assert "Choose at least one tag other than" in page_of(response)
    assert Tag.objects.count() == 1


# The article page and the front page.


def test_the_article_page_names_its_categories_and_tags_with_links(client, topics):
    _, _, ponds, cities = topics
    article = make_article(title="Frogs at dawn")
    article.categories.add(ponds, cities)
    article.tags.add(tag("Frogs"), tag("Dawn"))

    page = page_of(client.get(article.get_absolute_url()))

    assert '<a href="/category/nature/water/ponds/" rel="category">Ponds</a>' in page
    assert '<a href="/category/cities/" rel="category">Cities</a>' in page
    assert '<a href="/tag/frogs/" rel="tag">Frogs</a>' in page
    assert f'href="/author/{article.author.username}/" rel="author"' in page
    [data] = json_ld(page)
    assert data["articleSection"] == ["Cities", "Ponds"]
    assert data["keywords"] == ["Dawn", "Frogs"]


def test_the_front_page_links_each_article_to_its_archives_without_more_queries(
    client, topics, django_assert_num_queries
):
    article = make_article(published_at=timezone.make_aware(datetime(2024, 5, 6, 12)))
    article.categories.add(topics[0])
    article.tags.add(tag("Frogs"))
    with django_assert_num_queries(2):  # count for the paginator, then the page
        page = page_of(client.get("/"))
    assert 'href="/category/nature/"' in page and 'href="/tag/frogs/"' in page
    assert 'href="/2024/5/"' in page and f'href="/author/{article.author.username}/"' in page


# Archive pages.


def test_a_category_shows_its_published_articles_and_those_of_its_subcategories(client, topics):
    nature, water, ponds, cities = topics
    make_article(title="About nature").categories.add(nature)
    make_article(title="About ponds").categories.add(ponds)
    make_article(title="In two places").categories.add(water, ponds)
    make_article(title="City life").categories.add(cities)
    make_article(title="Draft pond", status=Article.Status.DRAFT).categories.add(ponds)
    later = timezone.now() + timezone.timedelta(days=2)
    make_article(title="Scheduled pond", published_at=later).categories.add(ponds)

    page = page_of(client.get("/category/nature/"))

    assert sorted(titles(page)) == ["About nature", "About ponds", "In two places"]
    assert "Category: Nature" in page and "Outdoors." in page
    # Newest first, each once, even when filed under two categories of the tree.
    assert titles(page_of(client.get("/category/nature/water/"))) == [
        "About ponds", "In two places",
    ]  # fmt: skip


def test_a_category_asked_for_at_another_path_answers_at_its_own(client, topics):
    response = client.get("/category/ponds/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/category/nature/water/ponds/"


def test_a_nested_category_has_breadcrumbs_on_the_page_and_in_its_json_ld(client, topics):
    page = page_of(client.get("/category/nature/water/ponds/"))
    assert '<a href="/category/nature/">Nature</a>' in page
    assert '<span aria-current="page">Ponds</span>' in page
    [data] = json_ld(page)
    assert data["@type"] == "CollectionPage"
    crumbs = data["breadcrumb"]["itemListElement"]
    assert [(c["position"], c["name"]) for c in crumbs] == [(1, "Nature"), (2, "Water"),
                                                            (3, "Ponds")]  # fmt: skip
    assert crumbs[2]["item"].endswith("/category/nature/water/ponds/")


def test_a_tag_shows_its_published_articles(client):
    frogs = tag("Frogs", description="Green ones.")
    make_article(title="Tagged").tags.add(frogs)
    make_article(title="Not tagged")
    make_article(title="Tagged draft", status=Article.Status.DRAFT).tags.add(frogs)
    page = page_of(client.get("/tag/frogs/"))
    assert titles(page) == ["Tagged"] and "Tagged: Frogs" in page and "Green ones." in page


def test_year_and_month_archives_show_the_articles_published_then(client):
    def on(y, m, title):
        make_article(title=title, published_at=timezone.make_aware(datetime(y, m, 10, 12)))

    on(2016, 11, "November")
    on(2016, 3, "March")
    on(2017, 11, "Next year")
    assert sorted(titles(page_of(client.get("/2016/")))) == ["March", "November"]
    month = page_of(client.get("/2016/11/"))
    assert titles(month) == ["November"] and "Articles of November 2016" in month
    assert client.get("/2015/").status_code == 404  # nothing published then


@pytest.mark.parametrize("url", ["/2016/13/", "/0/", "/99999/", "/2016/0/feed/",
                                 "/category/nope/", "/tag/nope/", "/author/nobody/"])  # fmt: skip
def test_an_archive_that_does_not_exist_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_an_author_page_shows_their_articles_bio_and_a_link_to_their_profile(client):
    ada = make_user(username="ada", first_name="Ada", last_name="Lovelace", is_staff=True)
    Profile(user=ada, bio="I write about *engines*.").save()
    make_article(title="Engines", author=ada)
    make_article(title="Someone else's")

    page = page_of(client.get("/author/ada/"))

    assert titles(page) == ["Engines"] and "Articles by Ada Lovelace" in page
    assert "<em>engines</em>" in page
    assert '<a href="/users/ada/" rel="author">' in page
    [data] = json_ld(page)
    assert data["@type"] == "ProfilePage" and data["mainEntity"]["name"] == "Ada Lovelace"


def test_archives_are_paginated_and_a_junk_page_number_is_not_an_error(client, topics):
    for n in range(25):
        make_article(title=f"Pond {n:02}").categories.add(topics[2])
    first = page_of(client.get("/category/nature/water/ponds/"))
    second = page_of(client.get("/category/nature/water/ponds/?page=2"))
    assert len(titles(first)) == 20 and len(titles(second)) == 5
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    assert client.get("/category/nature/water/ponds/?page=junk").status_code == 200


def archive_urls():
    return {
        "category": "/category/nature/water/",
        "nested category": "/category/nature/water/ponds/",
        "tag": "/tag/frogs/",
        "year": "/2016/",
        "month": "/2016/11/",
        "author": "/author/ada/",
    }


@pytest.fixture
def filed(topics):
    """``count`` published articles by ada in November 2016, under Ponds, tagged Frogs."""
    ada = make_user(username="ada", is_staff=True)
    frogs = tag("Frogs")

    def make(count):
        for n in range(count):
            article = make_article(
                author=ada, published_at=timezone.make_aware(datetime(2016, 11, 1 + n % 28, 9))
            )
            article.categories.add(topics[2], topics[3])
            article.tags.add(frogs, tag(f"Tag {n}", slug=f"t{n}"))

    return make


QUERIES = {"category": 4, "nested category": 4, "tag": 3, "year": 2, "month": 2, "author": 4}


@pytest.mark.parametrize("kind", QUERIES)
@pytest.mark.parametrize("count", [1, 25])
def test_an_archive_page_makes_the_same_queries_whatever_its_length(
    client, filed, topics, django_assert_num_queries, kind, count
):
    """The archive's row (a category's ancestors too, an author's profile), the count, the
    page: its articles' authors, categories and tags come in the page's query."""
    filed(count)
    url = archive_urls()[kind]
    with django_assert_num_queries(QUERIES[kind]):
        response = client.get(url)
    assert response.status_code == 200
    assert len(titles(page_of(response))) == min(count, 20)


@pytest.mark.parametrize("kind", list(QUERIES))
@pytest.mark.parametrize("flavour", ["feed/", "feed/rss/"])
def test_every_archive_has_an_atom_and_an_rss_feed_announced_on_its_page(
    client, filed, topics, kind, flavour
):
    filed(3)
    make_article(title="Elsewhere", published_at=timezone.make_aware(datetime(2019, 1, 1)))
    url = archive_urls()[kind]
    page = page_of(client.get(url))
    assert f'href="{url}feed/"' in page and f'href="{url}feed/rss/"' in page

    response = client.get(url + flavour)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert len(feed.entries) == 3 and "Elsewhere" not in response.content.decode()
    expected = "application/rss+xml" if flavour.endswith("rss/") else "application/atom+xml"
    assert response["Content-Type"].startswith(expected)


def test_the_sitemap_lists_the_archives_that_show_published_articles(client, filed, topics):
    filed(2)
    category("Empty")
    make_article(title="Draft", status=Article.Status.DRAFT).categories.add(topics[0])
    sitemap = "".join(response.content.decode() for _, response in sitemap_files(client))
    locations = set(re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", sitemap))
    assert {"/category/nature/water/ponds/", "/category/cities/", "/tag/frogs/", "/2016/",
            "/2016/11/", "/author/ada/"} <= locations  # fmt: skip
    assert "/category/empty/" not in locations and "/category/nature/" not in locations


# Import and export (WordPress).

THEME_TEST_DATA = (
    settings.BASE_DIR.parent / "shared/fixtures/wordpress/themeunittestdata.wordpress.xml"
)


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def import_text(tmp_path, xml, *options):
    path = tmp_path / "export.xml"
    path.write_text(xml, encoding="utf-8")
    return run("import_wordpress", str(path), *options)


def taxonomy():
    """Every category and tag, as (path, name, parent path, description) and (slug, name,
    description), and which article has which: what a round trip must keep."""
    categories = [(c.path, c.name, c.parent.path if c.parent else "", c.description)
                  for c in Category.objects.select_related("parent").order_by("path")]  # fmt: skip
    tags = list(Tag.objects.order_by("slug").values_list("slug", "name", "description"))
    filed = sorted(
        (a.slug, tuple(sorted(a.categories.values_list("path", flat=True))),
         tuple(sorted(a.tags.values_list("slug", flat=True))))
        for a in Article.objects.all()
    )  # fmt: skip
    return categories, tags, filed


def test_an_import_keeps_slugs_parents_descriptions_and_empty_terms(tmp_path):
    xml = export(
        wp_category("news", "News &amp; views", description="What happened.", term_id=5),
        wp_category("local", "Local", parent="news", term_id=6),
        wp_category("%e6%97%a5%e6%9c%ac", "日本", term_id=7),
        wp_category("unused", "Nobody filed here", term_id=8),
        wp_tag("frogs-2", "Frogs", description="Green ones."),
        wp_tag("never-used", "Never used"),
        post(1, "Local frogs", terms=[on_post("category", "local", "Local"),
                                      on_post("post_tag", "frogs-2", "Frogs"),
                                      on_post("post_tag", "new-here", "Not in the list")]),
    )  # fmt: skip
    output = import_text(tmp_path, xml)

    categories, tags, filed = taxonomy()
    assert categories == [
        ("news", "News & views", "", "What happened."),
        ("news/local", "Local", "news", ""),
        ("unused", "Nobody filed here", "", ""),
        ("日本", "日本", "", ""),
    ]
    assert tags == [("frogs-2", "Frogs", "Green ones."), ("never-used", "Never used", ""),
                    ("new-here", "Not in the list", "")]  # fmt: skip
    assert filed == [("post-1", ("news/local",), ("frogs-2", "new-here"))]
    assert "new category" in output and "new tag" in output
    assert client_get("/category/news/local/").status_code == 200  # the old address, kept
    assert client_get("/category/日本/").status_code == 200


def client_get(url):
    from django.test import Client

    return Client().get(url)


def test_the_authors_display_names_come_with_them(tmp_path):
    xml = export(post(1, creator="ada"), authors=[("ada", "ada@old.example", "Ada L.", 3)])
    import_text(tmp_path, xml)
    ada = Article.objects.get().author
    assert ada.get_full_name() == "Ada L."
    page = page_of(client_get("/author/ada/"))
    assert "Articles by Ada L." in page


def test_importing_again_changes_no_term(tmp_path):
    xml = export(
        wp_category("a", "A"),
        wp_category("b", "B", parent="a"),
        wp_tag("t", "T"),
        post(1, terms=[on_post("category", "b", "B"), on_post("post_tag", "t", "T")]),
    )
    import_text(tmp_path, xml)
    before = taxonomy()
    output = import_text(tmp_path, xml)
    assert taxonomy() == before
    assert "new category" not in output and "category already here" in output


def test_an_export_imported_into_an_empty_site_gives_the_same_taxonomy(tmp_path, topics):
    nature, water, ponds, cities = topics
    Category.objects.filter(pk=ponds.pk).update(description="Still <water> & frogs")
    frogs = tag("Frogs & toads", slug="frogs")
    tag("Empty")
    one = make_article(title="One", slug="one")
    one.categories.add(ponds, cities)
    one.tags.add(frogs)
    make_article(title="Two", slug="two").categories.add(nature)
    expected = taxonomy()
    path = tmp_path / "export.xml"
    run("export_wordpress", "-o", str(path))

    Article.objects.all().delete()
    for c in Category.objects.order_by("-path"):  # the deepest first: parents are protected
        c.delete()
    Tag.objects.all().delete()
    run("import_wordpress", str(path))

    assert taxonomy() == expected


@pytest.fixture
def theme_test_data():
    if not THEME_TEST_DATA.exists():
        pytest.skip("../shared/fixtures is not here")
    return THEME_TEST_DATA


def test_the_theme_test_data_arrives_with_its_nested_categories_and_tags(theme_test_data):
    run("import_wordpress", str(theme_test_data))

    # Its list: 67 categories, three levels deep under "parent", and 110 tags; its posts name
    # two tags more.
    assert Category.objects.count() == 67
    assert Category.objects.get(slug="child-2").path == "parent/child-1/child-2"
    assert Category.objects.get(slug="child-category-01").description == (
        "This is a description for the Child Category 01."
    )
    assert Tag.objects.get(slug="8bit").name == "8BIT"
    assert Tag.objects.get(slug="alignment-2").name == "alignment"
    assert Tag.objects.count() == 112
    comments = Article.objects.get(title="Template: Comments")
    assert sorted(comments.categories.values_list("slug", flat=True)) == [
        "classic", "template-2", "uncategorized"]  # fmt: skip
    assert sorted(comments.tags.values_list("slug", flat=True)) == ["comments-2", "template"]
    grandchild = Category.objects.get(slug="child-2")
    assert client_get(grandchild.get_absolute_url()).status_code == 200


# Hostile exports: imported safely, or reported, never a 500.


def test_term_names_lose_markup_and_invisible_characters_and_say_so(tmp_path, client):
    xml = export(
        wp_category("news", "<script>alert(1)</script>News\u202e<b>!</b>"),
        wp_tag("rtl", "gnp.\u202eexe\u009f"),
        wp_tag("blank", "\u200b\u200b"),
        post(1, terms=[on_post("category", "news", "ignored"),
                       on_post("post_tag", "rtl", "ignored")]),
    )  # fmt: skip
    output = import_text(tmp_path, xml)

    assert Category.objects.get().name == "alert(1)News!"
    assert Tag.objects.get(slug="rtl").name == "gnp.exe"
    assert Tag.objects.get(slug="blank").name == "blank"  # nothing visible left: the slug
    assert "its name held markup or invisible characters" in output
    page = page_of(client.get(Article.objects.get().get_absolute_url()))
    assert "<script>alert" not in page and "\u202e" not in page


def test_slugs_that_cannot_be_addresses_here_are_changed_and_reported(tmp_path):
    xml = export(
        wp_category("feed", "Feed"),
        wp_category("page", "Page"),
        wp_category("a/b", "Slashed"),
        wp_category("x\u202ey", "Hidden"),
        wp_category("", "No slug at all"),
        wp_tag("t" * 300, "Long"),
    )
    output = import_text(tmp_path, xml)

    assert sorted(Category.objects.values_list("slug", flat=True)) == [
        "a-b", "feed-category", "no-slug-at-all", "page-category", "xy",
    ]  # fmt: skip
    assert Tag.objects.get().slug == "t" * 200
    assert "the category slug “feed” became “feed-category”" in output
    assert "⟦U+202E⟧" in output  # shown, never applied


def test_a_category_that_is_its_own_ancestor_is_made_top_level(tmp_path):
    xml = export(
        wp_category("a", "A", parent="c"),
        wp_category("b", "B", parent="a"),
        wp_category("c", "C", parent="b"),
        wp_category("self", "Self", parent="self"),
        wp_category("orphan", "Orphan", parent="missing"),
    )
    output = import_text(tmp_path, xml)

    # The loop a → c → b → a is cut where it closes, at the first of the file.
    paths = set(Category.objects.values_list("path", flat=True))
    assert paths == {"a", "a/b", "a/b/c", "self", "orphan"}
    assert "is its own ancestor; made top-level" in output
    assert "its parent “missing” is not in the export" in output


def test_a_chain_deeper_than_the_limit_starts_again_at_the_top(tmp_path):
    chain = [wp_category("c0", "C0")] + [
        wp_category(f"c{n}", f"C{n}", parent=f"c{n - 1}") for n in range(1, 30)
    ]
    output = import_text(tmp_path, export(*chain))
    assert max(c.count("/") for c in Category.objects.values_list("path", flat=True)) < 20
    assert "nested deeper than 20 levels" in output


def test_ten_thousand_terms_import_in_bulk_and_archives_stay_fast(
    tmp_path, client, django_assert_num_queries
):
    categories = [wp_category(f"c{n}", f"Category {n}", parent=f"c{n - 1}" if n % 10 else "",
                              term_id=n + 1) for n in range(5000)]  # fmt: skip
    tags = [wp_tag(f"t{n}", f"Tag {n}") for n in range(5000)]
    terms = [on_post("category", "c9", "C9")] + [on_post("post_tag", f"t{n}", "x")
                                                 for n in range(50)]  # fmt: skip
    output = import_text(tmp_path, export(*categories, *tags, post(1, terms=terms)))

    assert Category.objects.count() == 5000 and Tag.objects.count() == 5000
    assert Category.objects.get(slug="c9").path == "c0/c1/c2/c3/c4/c5/c6/c7/c8/c9"
    assert re.search(r"new category\s+5000", output) and re.search(r"new tag\s+5000", output)
    with django_assert_num_queries(3):  # a top-level category has no ancestors to read
        assert client.get("/category/c0/").status_code == 200
    assert client.get("/?cat=10").headers["Location"] == "/category/c0/c1/c2/c3/c4/c5/c6/c7/c8/c9/"


@pytest.mark.parametrize("url", [
    "/?m=0000", "/?m=999999", "/?m=2016999", "/?cat=abc", "/?p=" + "9" * 500, "/?tag=a/b",
    "/category/" + "x/" * 300, "/tag/%00/", "/2016/11/28/" + "x" * 5000 + "/", "/page/0/",
    "/feed/rdf/", "/%E2%80%AE/", "/author/%00/", "/category/a%00/", "/?p=%00", "/x%00/feed/",
])  # fmt: skip
def test_hostile_old_addresses_answer_without_an_error(client, url):
    response = client.get(url)
    assert response.status_code in (200, 301, 404), (url, response.status_code)
