"""Full-text search over published articles and approved comments (issue #15), with
PostgreSQL's own: stored vectors kept by triggers (see articles' and comments' migrations),
``websearch_to_tsquery`` for what people type, cover-density ranking, and ``ts_headline``
snippets whose only markup is ours.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F, Func, TextField, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article
from comments.models import Comment

CONFIG = "forum_search"  # a copy of SEARCH_LANGUAGE's configuration (with unaccent if present)
START, STOP = "\ue000", "\ue001"  # private-use characters, removed from every searched text
CANDIDATES = 1000  # the newest matches of each kind that are ranked
WORD_TOKENS = ("asciiword", "word", "hword", "hword_part", "hword_asciipart", "asciihword")


def query_of(text):
    return SearchQuery(text, search_type="websearch", config=CONFIG)


def matches(text, *, kind="all", article=None):
    """The query of what ``text`` finds, best first, as (type, id, rank, date) rows: published
    articles (unless one ``article``'s discussion is searched) and approved comments on them.

    Only the CANDIDATES newest matches of each kind are ranked: a query of common words would
    otherwise rank half the site on every search. Fewer matches are all ranked.
    """
    query = query_of(text)
    rank = SearchRank(F("search_vector"), query, cover_density=True)
    parts = []
    if kind in ("all", "articles") and article is None:
        found = Article.objects.published().filter(search_vector=query)
        newest = found.order_by("-published_at").values("pk")[:CANDIDATES]
        chosen = Article.objects.filter(pk__in=newest).order_by()
        parts.append(chosen.annotate(result=Value("article"), rank=rank, date=F("published_at")))
    if kind in ("all", "comments"):
        found = Comment.objects.approved().filter(
            search_vector=query, article__in=Article.objects.published()
        )
        if article is not None:
            found = found.filter(article=article)
        newest = found.order_by("-created_at").values("pk")[:CANDIDATES]
        chosen = Comment.objects.filter(pk__in=newest).order_by()
        parts.append(chosen.annotate(result=Value("comment"), rank=rank, date=F("created_at")))
    rows = [part.values_list("result", "pk", "rank", "date") for part in parts]
    if not rows:  # articles within one discussion: there are none (#23)
        return Comment.objects.none().values_list("pk")
    first, *rest = rows
    return (first.union(*rest, all=True) if rest else first).order_by("-rank", "-date", "-pk")


def results(rows, text):
    """The page's rows as dicts for the template: title, link, snippet (safe HTML), date."""
    query = query_of(text)
    snippet = SearchHeadline(
        Func(F("body_html"), function="forum_search_text", output_field=TextField()),
        query, config=CONFIG, start_sel=START, stop_sel=STOP, max_words=35, min_words=12,
        max_fragments=2, fragment_delimiter=" … ",
    )  # fmt: skip
    wanted = {kind: [pk for k, pk, *_ in rows if k == kind] for kind in ("article", "comment")}
    articles = Article.objects.filter(pk__in=wanted["article"]).annotate(snippet=snippet)
    comments = (
        Comment.objects.filter(pk__in=wanted["comment"])
        .select_related("article")
        .annotate(snippet=snippet)
    )
    found = {("article", a.pk): a for a in articles} | {("comment", c.pk): c for c in comments}
    shown = []
    for kind, pk, _, date in rows:
        item = found.get((kind, pk))
        if item is None:  # deleted between the two queries
            continue
        if kind == "article":
            entry = {"title": item.title, "url": item.get_absolute_url(), "article": None}
        else:
            entry = {"title": f"{item.author_name} on “{item.article.title}”",
                     "url": item.get_absolute_url(), "article": item.article}  # fmt: skip
        shown.append({**entry, "kind": kind, "date": date, "snippet": marked(item.snippet)})
    return shown


def marked(headline):
    """The headline escaped, then our highlight markers turned into <mark>: the text itself
    can never bring markup."""
    return mark_safe(  # noqa: S308 - escaped on the line itself
        escape(headline or "").replace(START, "<mark>").replace(STOP, "</mark>")
    )


# The search language.


def configure(language):
    """Make ``forum_search`` a copy of ``language``'s configuration (accents ignored when the
    unaccent extension can be had) and, if it changed, recompute every stored vector."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname = %s", [language])
        if cursor.fetchone() is None:
            cursor.execute("SELECT string_agg(cfgname, ', ' ORDER BY cfgname) FROM pg_ts_config")
            raise ImproperlyConfigured(f"SEARCH_LANGUAGE {language!r} is not a PostgreSQL text "
                                       f"search configuration: {cursor.fetchone()[0]}")  # fmt: skip
        unaccent = has_unaccent(cursor)
        wanted = f"{language}{' unaccent' if unaccent else ''}"
        cursor.execute("SELECT obj_description(%s::regconfig, 'pg_ts_config')", [CONFIG])
        if cursor.fetchone()[0] == wanted:
            return False
        cursor.execute(
            "SELECT t.alias, array_agg(m.mapdict::regdictionary::text ORDER BY m.mapseqno) "
            "FROM pg_ts_config_map m JOIN ts_token_type('default') t ON t.tokid = m.maptokentype "
            "WHERE m.mapcfg = %s::regconfig GROUP BY t.alias",
            [language],
        )
        mapping = dict(cursor.fetchall())
        cursor.execute("SELECT alias FROM ts_token_type('default')")
        for (alias,) in cursor.fetchall():
            dictionaries = mapping.get(alias)
            if not dictionaries:
                cursor.execute(f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} DROP MAPPING IF EXISTS "
                               f"FOR {alias}")  # fmt: skip
                continue
            if unaccent and alias in WORD_TOKENS:
                dictionaries = ["unaccent", *dictionaries]
            cursor.execute(f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {alias} "
                           f"WITH {', '.join(dictionaries)}")  # fmt: skip
        cursor.execute(f"COMMENT ON TEXT SEARCH CONFIGURATION {CONFIG} IS %s", [wanted])
        cursor.execute("UPDATE articles_article SET title = title")  # the triggers recompute
        cursor.execute("UPDATE comments_comment SET body_html = body_html")
    return True


def has_unaccent(cursor):
    """Whether the unaccent extension is installed, or can be (it is trusted since PG 13)."""
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
    if cursor.fetchone():
        return True
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    if not cursor.fetchone():
        return False
    try:
        with transaction.atomic():
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:  # noqa: BLE001 - no right to create it: accents then count
        return False
    return True


def configure_after_migrate(using="default", **kwargs):
    """After `manage.py migrate`: the search language of the settings, applied."""
    if using == "default":
        configure(settings.SEARCH_LANGUAGE)
