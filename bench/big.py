"""A newspaper's archive (issue #29): `make bench BIG=1` writes a million comments with COPY
(``bench/bulk.py``) into a throwaway PostgreSQL and measures what readers, moderators and
operators do there, each against its target. ``--scale 0.1`` runs the same at 100,000.

Writes bench/results-big.md (a scale other than 1: bench/out/results-big.md).
"""

import argparse
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import run
from bench.report import number, verdict

PG_DIR = Path(os.environ.get("BENCH_BIG_PG_DIR", "/tmp/forum-bench-big-pg"))
COLD_RUNS, WARM_RUNS = 5, 10
TARGETS = {  # ms, or as said
    "cold": 60, "kb": 250, "permalink": 100, "search": 50, "admin": 300, "sitemap": 500,
    "sitemap_urls": 50_000, "post": 15, "check_mb": 300, "import_growth": 1.5,
}  # fmt: skip
BIGGEST_TABLES = 8


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of a million comments")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running, to look")
    args = parser.parse_args(argv)
    scale = args.scale
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/forum-runtime-{os.getuid()}")
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    run.remove_cluster(PG_DIR)  # its own cluster: `make bench` may run beside it
    started = time.perf_counter()
    try:
        database_url = run.database.url(PG_DIR)
        run.progress(f"PostgreSQL running in {PG_DIR}")
        run.set_up_django(database_url)
        rows = measure_all(scale, database_url)
        text = markdown(rows, scale, time.perf_counter() - started)
        output = run.BENCH_DIR if scale == 1 else run.BENCH_DIR / "out"
        output.mkdir(exist_ok=True)
        (output / "results-big.md").write_text(text)
        print(text)
        run.progress(f"wrote {output / 'results-big.md'}")
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep:
            run.progress(f"PostgreSQL left running: DATABASE_URL={run.database.url(PG_DIR)}")
        else:
            run.remove_cluster(PG_DIR)
            run.progress("PostgreSQL stopped and removed")


def measure_all(scale, database_url):
    """The rows of the table: (measurement, result, target, verdict)."""
    from bench import build, bulk

    rng = build.new_rng()
    site = bulk.build_site(scale, rng=rng, progress=run.progress)
    s = site.seconds
    rows = [(
        f"build: {site.articles:,} articles, {site.comments:,} comments ({site.spam:,} spam)",
        f"{s['total']:.0f} s (comments {s['comments']:.0f} s with COPY, indexes "
        f"{s['indexes']:.0f} s, VACUUM ANALYZE {s.get('vacuum', 0):.0f} s)",
        "minutes, not hours", verdict(s["total"] < 3600, f"{s['total'] / 60:.1f} min"),
    )]  # fmt: skip
    run.progress(rows[0][1])
    for step in (pages, permalink, search, admin, sitemap, feeds, checks, posting, sizes,
                 wordpress):  # fmt: skip
        found = step(site, rng=rng, database_url=database_url)
        rows.extend(found)
        run.progress(f"{step.__name__}: " + "; ".join(f"{r[0]} {r[1]}" for r in found))
    return rows


def ms(value):
    return number(value, " ms")


def timed_get(client, url, *, follow=False):
    from bench import measure

    started = time.perf_counter()
    response = client.get(url, follow=follow)
    if response.status_code != 200:
        raise measure.BenchError(f"GET {url} answered {response.status_code}")
    return (time.perf_counter() - started) * 1000, response


def pages(site, **_):
    """Page 1 of the biggest and of a typical discussion: cold, queries, weight."""
    from bench import measure

    rows = []
    for name, article in (("biggest", site.biggest), ("typical", site.typical)):
        url = article.get_absolute_url()
        facts = measure.page_facts(url)
        times = measure.page_times(url, cold_runs=COLD_RUNS, warm_runs=WARM_RUNS)
        label = f"{name} discussion ({article.comment_count:,} comments)"
        rows.append((
            f"page 1 cold, {label}", f"{ms(times['cold_ms'])}; {facts['queries_page']} queries "
            f"cold, {facts['queries_page_warm']} kept", f"≤ {TARGETS['cold']} ms, constant "
            "queries", verdict(times["cold_ms"] <= TARGETS["cold"], ms(times["cold_ms"])),
        ))  # fmt: skip
        if name == "biggest":
            kb = facts["kb"]
            rows.append((
                "page 1 of the biggest, HTML KB", f"{kb:.0f} KB ({facts['shown']} comments)",
                f"≤ {TARGETS['kb']} KB", verdict(kb <= TARGETS["kb"], f"{kb:.0f} KB"),
            ))  # fmt: skip
    return rows


def permalink(site, **_):
    """A reply deep in the last thread of the biggest discussion, followed to its page, cold."""
    from bench import measure

    client, url, times = measure.new_client(), f"/comments/{site.deep_comment}/", []
    for _ in range(COLD_RUNS):
        measure.empty_caches()
        times.append(timed_get(client, url, follow=True)[0])
    took = statistics.median(times)
    return [(
        "a permalink deep in the biggest discussion, cold (redirect and page)", ms(took),
        f"≤ {TARGETS['permalink']} ms", verdict(took <= TARGETS["permalink"], ms(took)),
    )]  # fmt: skip


def search(site, rng, **_):
    from bench import measure

    found = measure.search_times(site.biggest, runs=WARM_RUNS, rng=rng)
    rows = []
    for kind in ("common", "rare"):
        took = found[f"search_{kind}_ms"]
        rows.append((
            f"search, two {kind} words, whole site (median; p95)",
            f"{ms(took)} ({ms(found[f'search_{kind}_p95_ms'])}), "
            f"{found[f'search_{kind}_found']:,.0f} found",
            f"≤ {TARGETS['search']} ms", verdict(took <= TARGETS["search"], ms(took)),
        ))  # fmt: skip
    return rows


def admin(site, **_):
    from bench import measure

    urls = {
        "admin: moderation queue": "/admin/comments/comment/queue/",
        "admin: comment changelist, needs review": "/admin/comments/comment/",
        "admin: all comments": "/admin/comments/comment/?queue=all",
        "admin: an author's history": f"/admin/comments/comment/{site.prolific}/author/",
    }
    times = measure.admin_times(urls, runs=COLD_RUNS)
    return [
        (label, ms(took), f"≤ {TARGETS['admin']} ms", verdict(took <= TARGETS["admin"], ms(took)))
        for label, took in times.items()
    ]


def sitemap(site, **_):
    """The index, then every file it lists: the most URLs in one and the slowest."""
    from bench import measure

    client = measure.new_client()
    took, response = timed_get(client, "/sitemap.xml")
    files = re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", response.content.decode())
    slowest, most = 0.0, 0
    for path in files:
        took_file, answer = timed_get(client, path.replace("&amp;", "&"))
        slowest, most = max(slowest, took_file), max(most, answer.content.count(b"<url>"))
    return [
        ("sitemap index", f"{ms(took)}, {len(files)} files", f"≤ {TARGETS['sitemap']} ms",
         verdict(took <= TARGETS["sitemap"], ms(took))),
        ("sitemap files: the slowest, the most URLs in one", f"{ms(slowest)}, {most:,} URLs",
         f"≤ {TARGETS['sitemap']} ms, ≤ {TARGETS['sitemap_urls']:,} URLs",
         verdict(slowest <= TARGETS["sitemap"] and most <= TARGETS["sitemap_urls"],
                 f"{ms(slowest)}, {most:,} URLs")),
    ]  # fmt: skip


def feeds(site, **_):
    """The site's feeds and the comments feeds of the biggest and a typical discussion: the same
    queries whatever the size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import measure

    client, rows = measure.new_client(), []
    pairs = {
        "articles feed": ["/feed/"],
        "latest comments feed": ["/comments/feed/"],
        "an article's comments feed, biggest / typical": [
            f"{a.get_absolute_url()}comments/feed/" for a in (site.biggest, site.typical)
        ],
    }
    for label, urls in pairs.items():
        counts, times = [], []
        for url in urls:
            timed_get(client, url)
            with CaptureQueriesContext(connection) as queries:
                times.append(timed_get(client, url)[0])
            counts.append(len(queries))
        same = len(set(counts)) == 1
        rows.append((
            label, " / ".join(f"{ms(t)}, {n} queries" for t, n in zip(times, counts, strict=True)),
            "constant queries", verdict(same, "same queries" if same else f"{counts}"),
        ))  # fmt: skip
    return rows


def checks(site, database_url, **_):
    """check_comment_trees in its own process (its peak memory), then purge_spam's batches."""
    from django.utils import timezone

    from bench import measure

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "check_comment_trees"], cwd=run.BENCH_DIR.parent,
        env={**os.environ, "DATABASE_URL": database_url}, capture_output=True, text=True,
    )  # fmt: skip
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    clean = done.returncode == 0
    rows = [(
        "check_comment_trees, every thread", f"{took:.0f} s, peak RSS {peak:.0f} MB"
        + ("" if clean else f", exit {done.returncode}: {done.stdout[-200:]}{done.stderr[-200:]}"),
        f"in bounded batches: flat memory (≤ {TARGETS['check_mb']} MB)",
        verdict(clean and peak <= TARGETS["check_mb"], f"{peak:.0f} MB"),
    )]  # fmt: skip
    purged = measure.purge_times(older_than=timezone.now() - timedelta(days=30))
    rows.append((
        "purge_spam of spam older than 30 days: comments, batches, longest, total",
        f"{purged['purged']:,}, {purged['purge_batches']:,} batches, longest "
        f"{purged['purge_longest_s']:.2f} s, total {purged['purge_s']:.0f} s",
        "in batches, no long locks",
        verdict(purged["purge_longest_s"] < 5, f"longest batch {purged['purge_longest_s']:.2f} s"),
    ))  # fmt: skip
    return rows


def posting(site, rng, **_):
    from bench import build, measure
    from comments.models import DiscussionSettings

    found = measure.post_times(
        site.biggest, posts=20, pools=build.make_pools(rng), rng=rng,
        rules=DiscussionSettings.load(),
    )  # fmt: skip
    return [
        (f"post a {label} into the biggest discussion, ms (median)", ms(found[key]),
         f"≤ {TARGETS['post']} ms", verdict(found[key] <= TARGETS["post"], ms(found[key])))
        for key, label in (("post_top_ms", "top-level comment"), ("post_reply_ms", "reply"))
    ]  # fmt: skip


def sizes(site, **_):
    """The database's size, and its biggest tables with their indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "pg_indexes_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC LIMIT %s",
            [BIGGEST_TABLES],
        )
        tables = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "WHERE relname = 'comments_comment' ORDER BY 2 DESC"
        )
        indexes = cursor.fetchall()

    def mb(size):
        return f"{size / 1024 / 1024:,.1f} MB"

    rows = [("database size", mb(total), "reported", "")]
    rows += [
        (f"table {name}: total (table + indexes)", f"{mb(whole)} ({mb(table)} + {mb(index)})",
         "", "")
        for name, whole, table, index in tables
    ]  # fmt: skip
    rows += [(f"index {name} of comments_comment", mb(size), "", "") for name, size in indexes]
    return rows


def wordpress(site, **_):
    """import_wordpress of an export as big as the site, after the sizes (it adds as many
    comments): its peak memory against a 10,000-comment export's, each in its own process."""
    from bench import imports

    per_post = imports.COMMENTS_PER_POST
    size = max(per_post, site.comments // per_post * per_post)
    small = min(10_000, size)
    output = run.BENCH_DIR / "out"
    output.mkdir(exist_ok=True)
    found = imports.measure(sorted({small, size}), output, run.progress, again=False)
    big, base = found[size], found[small]
    growth = big["rss_mb"] / base["rss_mb"]
    return [(
        f"import_wordpress of {size:,} comments ({big['file_mb']:,.0f} MB of WXR), its peak "
        f"memory against {small:,}'s",
        f"{big['seconds'] / 60:.0f} min, peak RSS {big['rss_mb']:.0f} MB ({base['rss_mb']:.0f} "
        f"MB for {small:,}: {growth:.2f}×)",
        f"flat memory (≤ {TARGETS['import_growth']}×)",
        verdict(growth <= TARGETS["import_growth"], f"{growth:.2f}×"),
    )]  # fmt: skip


def markdown(rows, scale, seconds):
    from django.db import connection

    comments = round(1_000_000 * scale)
    about = (
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at scale {scale:g} ({comments:,} "
        f"comments), {seconds / 60:.0f} min in all; {os.cpu_count()} cores (load average "
        f"{os.getloadavg()[0]:.1f} at the end), PostgreSQL {connection.pg_version // 10000}, "
        "in-process through Django's test client (server time)."
    )
    lines = [
        "# A million comments (issue #29): `make bench BIG=1`", "", about, "",
        "| measurement | result | target | verdict |", "| --- | --- | --- | --- |",
    ]  # fmt: skip
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
