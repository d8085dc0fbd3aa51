"""In-process measurements through Django's test client: queries, page times and post times."""

import re
import statistics
import time
from collections import defaultdict
from datetime import timedelta

from compression_middleware.middleware import compressors
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection, connections
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import pages
from comments import services as comment_services
from comments.models import Comment, DiscussionSettings

HOST = "127.0.0.1"  # the one name in DJANGO_ALLOWED_HOSTS
COMMENT_ITEM = b'<li class="comment-item">'  # one per comment shown, placeholders included
PERMALINK = re.compile(r"(http://[^/]+)?/comments/\d+/")  # where a posted comment is sent


class BenchError(RuntimeError):
    pass


def new_client():
    return Client(HTTP_HOST=HOST)


def fetch(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise BenchError(f"GET {url} answered {response.status_code}")
    return response


def timed(action, *args):
    """Milliseconds ``action(*args)`` took."""
    started = time.perf_counter()
    action(*args)
    return (time.perf_counter() - started) * 1000


def percentile(values, percent):
    """The nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    rank = max(1, round(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def page_facts(url):
    """Queries made by an anonymous request for ``url`` with nothing cached and then with the
    discussion cached, comments shown, and kilobytes sent."""
    forget_everything()
    with CaptureQueriesContext(connection) as cold:
        response = fetch(new_client(), url)
    with CaptureQueriesContext(connection) as warm:
        fetch(new_client(), url)
    encoded = {name: len(compress(response.content)) / 1024 for name, compress, _ in compressors}
    return {
        "queries_page": len(cold.captured_queries),
        "queries_page_warm": len(warm.captured_queries),
        "shown": response.content.count(COMMENT_ITEM),
        "kb": len(response.content) / 1024,
        "kb_encoded": encoded,  # what the server sends to a client accepting each encoding
    }


def forget_everything():
    """What a restarted worker starts without: its database connection and Django's caches."""
    connections.close_all()
    empty_caches()
    for engine in engines.all():
        if hasattr(engine, "env"):  # Jinja2: its compiled templates
            engine.env.cache.clear()
        else:
            for loader in engine.engine.template_loaders:
                loader.reset()


def empty_caches():
    """What every comment write leaves the next reader: no cached discussion (#7), and no
    whole page in this process's memory (#17)."""
    for cache in caches.all():
        cache.clear()
    pages.forget()


def page_times(url, *, cold_runs, warm_runs):
    """Server times of ``url`` in milliseconds: in a fresh worker (after forget_everything), with
    the caches empty (cold), and with the discussion cached (warm)."""
    client = new_client()
    fresh, cold = [], []
    for _ in range(cold_runs):
        forget_everything()
        fresh.append(timed(fetch, client, url))
    for _ in range(cold_runs):
        empty_caches()
        cold.append(timed(fetch, client, url))
    fetch(client, url)
    warm = [timed(fetch, client, url) for _ in range(warm_runs)]
    return {
        "fresh_ms": statistics.median(fresh),
        "cold_ms": statistics.median(cold),
        "warm_ms": statistics.median(warm),
        "warm_p95_ms": percentile(warm, 95),
        "warm_ms_by_language": warm_by_language(url, warm_runs),
    }


def warm_by_language(url, runs):
    """{language: median ms} of the warm page for a reader whose browser asks for each of the
    site's languages (#27): each language is a kept page of its own."""
    result = {}
    for code, _ in settings.LANGUAGES:
        client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE=code)
        fetch(client, url)
        result[code] = statistics.median(timed(fetch, client, url) for _ in range(runs))
    return result


def with_threads_per_page(count, action, *args):
    """Run ``action`` with the Discussion settings showing ``count`` threads per page."""
    rules = DiscussionSettings.load()
    before = rules.threads_per_page
    shown = rules.comments_per_page
    DiscussionSettings.objects.filter(pk=rules.pk).update(
        threads_per_page=count, comments_per_page=10**9
    )
    try:
        return action(*args)
    finally:
        DiscussionSettings.objects.filter(pk=rules.pk).update(
            threads_per_page=before, comments_per_page=shown
        )


def whole_discussion(url, *, threads, runs):
    """Queries and time of the page showing every thread at once: rendered with nothing
    cached, then the median of ``runs`` renders with the discussion cached."""

    def measure():
        client = new_client()
        empty_caches()
        with CaptureQueriesContext(connection) as captured:
            cold = timed(fetch, client, url)
        queries = len(captured.captured_queries)  # read before the next request resets the log
        warm = [timed(fetch, client, url) for _ in range(runs)]
        return {
            "queries_full": queries,
            "full_cold_ms": cold,
            "full_ms": statistics.median(warm),
            "full_runs": runs,
        }

    return with_threads_per_page(threads + 1, measure)


def comment_form(pools, rng, n, parent=None):
    name, email, url = rng.choice(pools.authors)
    body, _ = rng.choice(pools.bodies)
    return {
        "body": f"{body}\n\nPost {n}.",
        "author_name": name,
        "author_email": email,
        "author_url": url,
        "parent": "" if parent is None else str(parent),
    }


def post(client, url, form):
    response = client.post(url, form)
    if response.status_code != 302 or not PERMALINK.fullmatch(response["Location"]):
        raise BenchError(f"POST {url} answered {response.status_code}, not a redirect to it")


def replyable_threads(article, rules):
    """Ids of the comments a reply may answer without being moved up, per thread, largest first."""
    threads = defaultdict(list)
    rows = Comment.objects.filter(
        article=article, status=Comment.Status.APPROVED, level__lte=rules.deepest_replyable_level
    ).values_list("tree_id", "pk")
    for tree_id, pk in rows:
        threads[tree_id].append(pk)
    return sorted(threads.values(), key=len, reverse=True)


def post_times(article, *, posts, pools, rng, rules):
    """Median milliseconds of posting a top-level comment and a reply through the view."""
    url = reverse("comments:post", args=[article.pk])
    client = new_client()
    post(client, url, comment_form(pools, rng, 0))  # warm-up, not timed
    top = [timed(post, client, url, comment_form(pools, rng, n)) for n in range(posts)]
    answerable = [pk for thread in replyable_threads(article, rules) for pk in thread]
    parents = rng.sample(answerable, 2 * posts)
    replies = [
        timed(post, client, url, comment_form(pools, rng, n, parent))
        for n, parent in enumerate(parents[:posts])
    ]
    # The same with mail on (#13): the writer asks for all three kinds, a new address each time,
    # so each post also subscribes and queues a confirmation mail. Nothing is sent in the request.
    mail = {"email_replies": "on", "email_new_comments": "on", "email_published": "on"}
    with_mail = [
        timed(
            post,
            client,
            url,
            {
                **comment_form(pools, rng, n, parent),
                **mail,
                "author_email": f"reader{n}@mail.example",
            },
        )  # fmt: skip
        for n, parent in enumerate(parents[posts:], start=posts)
    ]
    return {
        "post_top_ms": statistics.median(top),
        "post_reply_ms": statistics.median(replies),
        "post_mail_ms": statistics.median(with_mail),
    }


def search_times(article, *, runs, rng):
    """Median milliseconds of /search/ over the whole site for two-word queries (#15): common
    words taken from comments of ``article`` (the benchmark's small vocabulary puts them in
    most comments), and rare ones, written into a few comments first as real text has them.
    Also whether the rare query's plan uses the full-text index."""
    from comments import services as comment_services
    from search import services

    for n in range(runs):
        comment_services.post_comment(
            article=article, body=f"A quixotic zephyr{n} over the marsh {n}.",
            author_name="Searcher", author_email=f"searcher{n}@example.com",
        )  # fmt: skip
    bodies = list(
        Comment.objects.approved().filter(article=article).values_list("body", flat=True)[:2000]
    )
    common = []
    while len(common) < runs:
        words = sorted(set(re.findall(r"[a-z]{5,}", rng.choice(bodies).lower())))
        if len(words) >= 2:
            common.append(" ".join(rng.sample(words, 2)))
    rare = [f"quixotic zephyr{n}" for n in range(runs)]
    client = new_client()
    fetch(client, "/search/?q=warm+up")
    result = {}
    for name, queries in (("common", common), ("rare", rare)):
        times = [timed(fetch, client, f"/search/?q={q.replace(' ', '+')}") for q in queries]
        result[f"search_{name}_ms"] = statistics.median(times)
        result[f"search_{name}_p95_ms"] = percentile(times, 95)
        result[f"search_{name}_found"] = statistics.median(
            services.matches(q).count() for q in queries[:5]
        )
    plan = services.matches(rare[0], kind="comments").explain()
    result["search_uses_index"] = "comment_search_idx" in plan
    return result


ADMIN_LISTS = {
    "moderation queue": "/admin/comments/comment/queue/",
    "caught as spam": "/admin/comments/comment/queue/?show=spam",
    "comment list, needs review": "/admin/comments/comment/",
    "all comments": "/admin/comments/comment/?queue=all",
    "spam": "/admin/comments/comment/?queue=all&status__exact=spam",
}


def moderation_at_scale(*, spam, runs):
    """With ``spam`` old spam comments in the table (#17): median milliseconds of the admin's
    comment lists, then purge_spam's batches (count, longest, total seconds)."""
    result = {"spam": spam, "lists": admin_times(ADMIN_LISTS, runs=runs)}
    result.update(purge_times(older_than=timezone.now() - timedelta(days=30)))
    return result


def moderator_client():
    client = new_client()
    moderator, _ = get_user_model().objects.get_or_create(
        username="bench-moderator", defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(moderator)
    return client


def admin_times(urls, *, runs):
    """{label: median milliseconds} of each admin page of ``urls``, as a moderator opens it."""
    client = moderator_client()
    times = {}
    for label, url in urls.items():
        fetch(client, url)
        times[label] = statistics.median(timed(fetch, client, url) for _ in range(runs))
    return times


def purge_times(*, older_than):
    """``services.purge_spam`` of the spam older than ``older_than``: how many, its batches
    (each its own transaction), the longest and the total seconds."""
    batches, last = [], [time.perf_counter()]

    def batch_done(n):
        now = time.perf_counter()
        batches.append(now - last[0])
        last[0] = now

    started = time.perf_counter()
    deleted, _ = comment_services.purge_spam(older_than=older_than, progress=batch_done)
    return {
        "purged": deleted, "purge_s": time.perf_counter() - started,
        "purge_batches": len(batches), "purge_longest_s": max(batches, default=0),
    }  # fmt: skip


def embed_script(path):
    """The host side of the embed (#30): its bytes, and as each encoding the server offers
    sends it (zstd, br, gzip), in KB."""
    body = path.read_bytes()
    encoded = {name: len(compress(body)) / 1024 for name, compress, _ in compressors}
    return {"plain_kb": len(body) / 1024, **{f"{name}_kb": kb for name, kb in encoded.items()}}


def member_reader(article, *, rng, share=10, votes=10):
    """The session cookie of a signed-in member who wrote one comment in ``share`` of
    ``article``'s discussion, voted on ``votes`` others and has a reply awaiting moderation
    (#29): every part of the page that is a member's own has something to show."""
    from comments.services import votes as vote_service

    user, _ = get_user_model().objects.get_or_create(
        username="bench-member", defaults={"email": "bench-member@example.com",
                                           "first_name": "Bench Member"},
    )  # fmt: skip
    approved = list(
        Comment.objects.filter(article=article, status=Comment.Status.APPROVED)
        .order_by("pk").values_list("pk", flat=True)
    )  # fmt: skip
    mine = set(approved[::share])
    Comment.objects.filter(pk__in=mine).update(user=user)
    for pk in rng.sample([pk for pk in approved if pk not in mine], votes):
        vote_service.vote(Comment.objects.get(pk=pk), value=1, user=user)
    held = comment_services.post_comment(
        article=article, parent=Comment.objects.get(pk=approved[0]), user=user,
        body="A reply of mine that waits for a moderator.", author_name="Bench Member",
        author_email=user.email,
    )  # fmt: skip
    if held.status != Comment.Status.PENDING:
        Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
        comment_services.refresh_counts([held.tree_id])
    client = new_client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={cookie}"
