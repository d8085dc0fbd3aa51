"""``make bench``: build discussions of growing size, measure the article page and posting.

    python -m bench.run            # 100, 1,000, 10,000 and 100,000 comments (< 10 minutes)
    python -m bench.run --quick    # 100 and 1,000 comments (< 1 minute)

Everything runs on a throwaway embedded PostgreSQL cluster in /tmp/forum-bench-pg, made fresh at
the start, stopped and removed at the end (var/postgres is never touched). The full run writes
bench/results.md and bench/results.png; a quick run writes them under bench/out/.
"""

import argparse
import os
import secrets
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import django

from forum import database

PG_DIR = Path(os.environ.get("BENCH_PG_DIR", "/tmp/forum-bench-pg"))  # another, to run two at once
BENCH_DIR = Path(__file__).resolve().parent
STATIC_ROOT = BENCH_DIR.parent / "var" / "bench" / "static"
HTTP_SIZE = 1000  # the discussion served under load
CONCURRENT_CLIENTS = 8
ROUNDS = 3  # throughput runs of each kind, taken in turn; the median counts


@dataclass(frozen=True)
class Plan:
    sizes: tuple
    cold_runs: int
    warm_runs: int
    whole_comments: int  # comments rendered, over all runs, for the whole-discussion page
    posts: int  # timed posts of each kind per size
    load_seconds: int
    concurrent_posts: int  # posts per client
    import_sizes: tuple  # comments in the generated WordPress exports (#14)
    spam: int  # old spam comments in the table for the moderation rows (#17)
    output: Path

    def page_runs(self, size):
        """(cold, warm) renders of page 1: fewer for the largest discussion, whose page is big."""
        return (3, 10) if size >= 100_000 else (self.cold_runs, self.warm_runs)

    def whole_discussion_runs(self, size):
        """Renders of the page with every thread: fewer for the big ones, which take seconds."""
        return max(1, min(self.warm_runs, self.whole_comments // size))


FULL = Plan(
    sizes=(100, 1_000, 10_000, 100_000), cold_runs=5, warm_runs=20, whole_comments=20_000,
    posts=20, load_seconds=5, concurrent_posts=20, import_sizes=(10_000, 100_000),
    spam=100_000, output=BENCH_DIR,
)  # fmt: skip
QUICK = Plan(
    sizes=(100, 1_000), cold_runs=3, warm_runs=10, whole_comments=5_000,
    posts=5, load_seconds=2, concurrent_posts=10, import_sizes=(2_000, 10_000),
    spam=10_000, output=BENCH_DIR / "out",
)  # fmt: skip
STARTED = time.perf_counter()


def progress(message):
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 comments only")
    plan = QUICK if parser.parse_args(argv).quick else FULL
    # SIGTERM (from `timeout`, say) unwinds like Ctrl-C, so the cluster is always stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/forum-runtime-{os.getuid()}")
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    remove_cluster()
    try:
        database_url = database.url(PG_DIR)
        progress(f"PostgreSQL running in {PG_DIR}")
        set_up_django(database_url)
        results = run(plan, database_url)
        write_results(results, plan)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        remove_cluster()
        progress("PostgreSQL stopped and removed")


def remove_cluster(pg_dir=PG_DIR):
    database.stop(pg_dir)
    shutil.rmtree(pg_dir, ignore_errors=True)


def set_up_django(database_url):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="forum.settings",
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",
        DJANGO_DEBUG="0",
        DJANGO_STATIC_ROOT=str(STATIC_ROOT),
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    progress("migrated, static files collected")


def run(plan, database_url):
    from django.db import connection

    from bench import build, imports, measure

    rng = build.new_rng()
    rules = build.rules_for_benchmarks()
    pools = build.make_pools(rng)
    discussions = {}
    for size in plan.sizes:
        discussions[size] = build.build_discussion(
            size, pools=pools, rng=rng, max_depth=rules.max_depth
        )
        progress(f"built {size:,} comments in {discussions[size].seconds:.1f} s")
    build.vacuum_analyze()
    by_size = {size: measure_size(discussions[size], plan, pools, rng) for size in plan.sizes}
    http, posting, memory = measure_over_http(discussions, plan, pools, rng, database_url)
    largest = plan.sizes[-1]
    searched = {"size": largest, **measure.search_times(discussions[largest].article, runs=14,
                                                        rng=rng)}  # fmt: skip
    progress(f"search at {largest:,}: {searched['search_common_ms']:.1f} ms common words, "
             f"{searched['search_rare_ms']:.1f} ms rare words (medians)")  # fmt: skip
    imported = imports.measure(plan.import_sizes, STATIC_ROOT.parent, progress)
    build.build_spam(plan.spam, pools=pools, rng=rng)
    build.vacuum_analyze()
    moderation = measure.moderation_at_scale(spam=plan.spam, runs=5)
    progress(f"admin lists with {plan.spam:,} spam: {moderation['lists']}; purged "
             f"{moderation['purged']:,} in {moderation['purge_s']:.1f} s")  # fmt: skip
    from bench import spam

    filtered = spam.measure(progress, decisions=plan.spam)  # the spam filter (#26)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = f"PostgreSQL {cursor.fetchone()[0]}"
    return {
        "quick": plan is QUICK,
        "sizes": list(plan.sizes),
        "by_size": by_size,
        "http": http,
        "posting": posting,
        "memory": memory,
        "imports": imported,
        "moderation": moderation,
        "spam": filtered,
        "search": searched,
        "embed": measure.embed_script(BENCH_DIR.parent / "static" / "js" / "embed.js"),
        "postgres": postgres,
        "load_average": os.getloadavg(),
        "seconds": time.perf_counter() - STARTED,
    }


def measure_size(discussion, plan, pools, rng):
    from bench import measure
    from comments.models import DiscussionSettings

    url = discussion.article.get_absolute_url()
    measure.fetch(measure.new_client(), url)  # the process's first request of this page
    cold_runs, warm_runs = plan.page_runs(discussion.size)
    result = {
        "threads": discussion.threads,
        "deepest_level": discussion.deepest_level,
        "largest_thread": discussion.largest_thread,
        "build_s": discussion.seconds,
        "tree_errors": discussion.errors,
        "checked": discussion.checked,
        **measure.page_facts(url),
        **measure.page_times(url, cold_runs=cold_runs, warm_runs=warm_runs),
        **measure.whole_discussion(
            url, threads=discussion.threads, runs=plan.whole_discussion_runs(discussion.size)
        ),
        **measure.post_times(
            discussion.article,
            posts=plan.posts,
            pools=pools,
            rng=rng,
            rules=DiscussionSettings.load(),
        ),
    }
    progress(
        f"{discussion.size:,}: page 1 {result['warm_ms']:.1f} ms warm, "
        f"{result['cold_ms']:.1f} ms cold; whole {result['full_ms']:.0f} ms; "
        f"post {result['post_top_ms']:.1f} / {result['post_reply_ms']:.1f} ms"
    )
    return result


def measure_over_http(discussions, plan, pools, rng, database_url):
    from bench import measure, server

    http_size = HTTP_SIZE if HTTP_SIZE in discussions else max(discussions)
    largest = max(discussions)
    with server.Gunicorn(database_url, STATIC_ROOT) as gunicorn:
        progress(f"gunicorn up on {gunicorn.base} with {len(gunicorn.workers())} workers")
        article_url = discussions[http_size].article.get_absolute_url()
        member = measure.member_reader(discussions[http_size].article, rng=rng)
        browser = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what every browser sends
        loads = {  # name: (path, headers)
            "healthz": ("/healthz", browser),
            "article": (article_url, browser),
            # signed in, with votes and a pending reply (#29); never compressed (BREACH)
            "member": (article_url, {**browser, "Cookie": member}),
        }
        http = {"size": http_size, **server.alternating(
            {name: lambda p=path, h=headers: server.load(gunicorn.base + p, plan.load_seconds, h)
             for name, (path, headers) in loads.items()},
            rounds=ROUNDS,
        )}  # fmt: skip
        for name, (path, _) in loads.items():
            progress(f"{name} {path}: {http[name]['rps']:.0f} req/s (median of {ROUNDS})")
        http["busy"] = reads_under_writes(gunicorn, discussions[http_size], plan, pools, rng)
        posting = concurrent_posting(gunicorn, discussions, http_size, plan, pools, rng)
        memory = server.worker_peak_rss(
            gunicorn,
            discussions[largest].article.get_absolute_url(),
            requests=2 * len(gunicorn.workers()),
        )
        memory["size"] = largest
        progress(f"worker peak RSS {memory['rss_mb']:.0f} MB after the {largest:,} page")
    return http, posting, memory


def reads_under_writes(gunicorn, discussion, plan, pools, rng):
    """The article page under load alone, then while one reply a second is posted (and
    approved on arrival) into its discussion (#17): each post changes one thread."""
    from bench import measure, server
    from comments.models import DiscussionSettings

    url = gunicorn.base + discussion.article.get_absolute_url()
    post_url = f"/comments/post/{discussion.article.pk}/"
    parents = [pk for t in measure.replyable_threads(discussion.article, DiscussionSettings.load())
               for pk in t]  # fmt: skip
    client = measure.new_client()
    count = iter(range(10**6))

    def write():
        form = measure.comment_form(pools, rng, next(count), rng.choice(parents))
        measure.post(client, post_url, form)

    seconds = max(plan.load_seconds, 5)
    found = server.alternating(
        {"alone": lambda: server.load(url, seconds),
         "busy": lambda: server.load_while_writing(url, seconds, write)},
        rounds=ROUNDS,
    )  # fmt: skip
    alone, busy = found["alone"], found["busy"]
    progress(f"reads alone {alone['rps']:.0f} req/s, under 1 post/s {busy['rps']:.0f} req/s "
             f"({busy['writes']} posts, {busy['failed_writes']} failed)")  # fmt: skip
    return {"alone": alone, "busy": busy}


def concurrent_posting(gunicorn, discussions, size, plan, pools, rng):
    """Posts from 1 and from 8 clients at once into the discussion of ``size`` comments."""
    from bench import measure, server
    from comments.models import Comment, DiscussionSettings
    from comments.trees import tree_errors

    article = discussions[size].article
    threads = measure.replyable_threads(article, DiscussionSettings.load())
    largest, others = threads[0], rng.sample(threads[1:], CONCURRENT_CLIENTS + 1)
    own = others[1:]
    scenarios = {
        "1 client": ([others[0]], False),
        "8 clients, one thread": ([largest] * CONCURRENT_CLIENTS, False),
        "8 clients, own threads": (own, False),
        "8 clients, own threads, one IP": (own, True),
    }
    runs = {}
    for label, (targets, one_ip) in scenarios.items():
        runs[label] = server.concurrent_posts(
            gunicorn,
            article=article,
            form_page=discussions[min(discussions)].article.get_absolute_url(),
            targets=targets,
            posts_each=plan.concurrent_posts,
            pools=pools,
            rng=rng,
            one_ip=one_ip,
        )
        progress(f"posting, {label}: {runs[label]['posts_per_s']:.1f} posts/s")
    return {
        "1 client": runs["1 client"],
        "runs": runs,
        "tree_errors": tree_errors(Comment.objects.filter(article=article)),
    }


def write_results(results, plan):
    from bench import report

    plan.output.mkdir(parents=True, exist_ok=True)
    text = report.markdown(results)
    (plan.output / "results.md").write_text(text + "\n")
    report.chart(results, plan.output / "results.png")
    print(text)
    progress(f"wrote {plan.output / 'results.md'} and results.png")


if __name__ == "__main__":
    main()
