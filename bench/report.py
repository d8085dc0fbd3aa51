"""The results as one Markdown table, with each target of issue #7 marked met or missed."""

import os
import platform
from datetime import UTC, datetime

QUERY_BUDGET = 6
COLD_BUDGET_MS = 40
HEALTHZ_SHARE = 1.0  # a reader without a session: the kept page, no query most of the time (#29)
MEMBER_SHARE = 0.5  # a signed-in member who voted and has a comment pending (#29)
TAIL_RATIO = 3  # p99 over p50 of the kept page under load (#29)
POST_GROWTH = 1.5
POST_BUDGET_MS = 15  # a top-level post and a reply, median, at every size (#29)
CONCURRENCY_GAIN = 1.5
OWN_THREADS_GAIN = 3  # 8 clients in their own threads over one client (#29)
RSS_BUDGET_MB = 150
SEARCH_BUDGET_MS = 50  # median /search/ at 100,000 comments (#15)
PAGE_BUDGET_KB = 250  # page 1's HTML before compression, at 1,000 and 100,000 (#17)
BUSY_SHARE = 0.7  # reads while 1 comment/s is posted, over reads alone (#17)
ADMIN_BUDGET_MS = 300  # the admin's comment lists with 100,000 spam comments (#17)
EMBED_BUDGET_KB = 10  # the embed's host script, compressed (#30)
TARGET_SIZE = 1000  # the discussion of the cold-time and throughput targets


def number(value, unit=""):
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return text + unit


def verdict(ok, detail):
    return ("met" if ok else "**MISSED**") + f": {detail}"


def size_label(size):
    return f"{size:,}"


class Table:
    """Rows of measurements: a value per discussion size, a target and a verdict."""

    def __init__(self, sizes):
        self.sizes = sizes
        self.rows = []

    def add(self, label, values, target="", outcome=""):
        self.rows.append((label, [values.get(size, "") for size in self.sizes], target, outcome))

    def per_size(self, label, by_size, key, fmt=number, **target):
        self.add(label, {s: fmt(by_size[s][key]) for s in self.sizes}, **target)

    def markdown(self):
        header = ["measurement", *map(size_label, self.sizes), "target (issue #7)", "verdict"]
        lines = [header, ["---"] * len(header)]
        lines += [[label, *values, target, outcome] for label, values, target, outcome in self.rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def build_table(results):
    sizes, by_size = results["sizes"], results["by_size"]
    table = Table(sizes)
    add_data_rows(table, by_size)
    add_query_rows(table, by_size)
    add_time_rows(table, by_size)
    add_post_rows(table, by_size)
    add_http_rows(table, results["http"])
    if "busy" in results["http"]:  # runs before #17 lack it
        add_busy_rows(table, results["http"])
    add_posting_rows(table, results["posting"], results["http"]["size"])
    add_memory_row(table, results["memory"])
    if "search" in results:  # runs before #15 lack it
        add_search_row(table, results["search"])
    if "imports" in results:  # runs before #14 lack it
        add_import_rows(table, results["imports"])
    if "moderation" in results:
        add_moderation_rows(table, results["moderation"])
    if "embed" in results:  # runs before #30 lack it
        add_embed_row(table, results["embed"], sizes[-1])
    return table


def add_embed_row(table, embed, size):
    """embed.js as a host page loads it: not a discussion's size, so in the last column."""
    encoded = {k.removesuffix("_kb"): v for k, v in embed.items() if k != "plain_kb"}
    largest = max(encoded.values())
    table.add(
        "embed.js, KB (plain; " + " / ".join(encoded) + ")",
        {size: f"{embed['plain_kb']:.1f}; " + " / ".join(f"{v:.1f}" for v in encoded.values())},
        f"≤ {EMBED_BUDGET_KB} KB compressed (#30)",
        verdict(largest <= EMBED_BUDGET_KB, f"at most {largest:.1f} KB"),
    )


def add_data_rows(table, by_size):
    table.per_size("threads (top-level comments)", by_size, "threads", fmt="{:,}".format)
    checked = [s for s in (1_000, 100_000) if s in by_size]
    heaviest = max(by_size[s]["kb"] for s in checked) if checked else None
    table.add(
        "page 1: comments shown / HTML KB",
        {s: f"{r['shown']:,} / {r['kb']:,.0f}" for s, r in by_size.items()},
        f"≤ {PAGE_BUDGET_KB} KB at 1,000 and 100,000 (#17)",
        verdict(heaviest <= PAGE_BUDGET_KB, f"at most {number(heaviest)} KB") if checked else "",
    )
    if all("kb_encoded" in r for r in by_size.values()):
        names = list(next(iter(by_size.values()))["kb_encoded"])
        table.add(
            f"page 1 on the wire, KB ({' / '.join(names)})",
            {s: " / ".join(number(r["kb_encoded"][n]) for n in names) for s, r in by_size.items()},
        )
    table.add(
        "deepest level / largest thread",
        {s: f"{r['deepest_level']} / {r['largest_thread']:,}" for s, r in by_size.items()},
    )
    errors = [error for result in by_size.values() for error in result["tree_errors"]]
    table.add(
        "build s (tree errors, part checked)",
        {
            s: f"{r['build_s']:.1f} ({len(r['tree_errors'])}, {r['checked']})"
            for s, r in by_size.items()
        },
        "trees valid",
        verdict(not errors, "; ".join(errors[:3]) or "tree_errors() == []"),
    )


def add_query_rows(table, by_size):
    for key, label in (
        ("queries_page", "page 1, nothing cached"),
        ("queries_page_warm", "page 1, discussion cached"),
        ("queries_full", "whole discussion"),
    ):
        counts = [by_size[s][key] for s in table.sizes]
        constant = len(set(counts)) == 1
        ok = constant and max(counts) <= QUERY_BUDGET
        detail = f"{'constant' if constant else 'varies'}, at most {max(counts)}"
        table.per_size(
            f"queries, {label}", by_size, key, fmt=str,
            target=f"constant, ≤ {QUERY_BUDGET}", outcome=verdict(ok, detail),
        )  # fmt: skip


def add_time_rows(table, by_size):
    cold = by_size.get(TARGET_SIZE, {}).get("cold_ms")
    cold_outcome = ""
    if cold is not None:
        cold_outcome = verdict(
            cold <= COLD_BUDGET_MS, f"{number(cold)} ms at 1,000 ({cold / COLD_BUDGET_MS:.1f}×)"
        )
    table.per_size(
        "page 1 cold (nothing cached), ms (median)", by_size, "cold_ms",
        target=f"≤ {COLD_BUDGET_MS} ms at 1,000", outcome=cold_outcome,
    )  # fmt: skip
    table.per_size("page 1 in a fresh worker, ms (median)", by_size, "fresh_ms")
    table.per_size("page 1 warm, ms (median)", by_size, "warm_ms")
    table.per_size("page 1 warm, ms (p95)", by_size, "warm_p95_ms")
    add_language_rows(table, by_size)
    table.per_size("whole discussion, nothing cached, ms", by_size, "full_cold_ms")
    table.add(
        "whole discussion warm, ms (median of n)",
        {s: f"{number(r['full_ms'])} (n={r['full_runs']})" for s, r in by_size.items()},
    )


def add_language_rows(table, by_size):
    """The warm page in each of the site's languages beside English's, same run (#27)."""
    languages = next((r["warm_ms_by_language"] for r in by_size.values()
                      if r.get("warm_ms_by_language")), {})  # fmt: skip
    for code in languages:
        values = {s: r["warm_ms_by_language"][code] for s, r in by_size.items()
                  if r.get("warm_ms_by_language")}  # fmt: skip
        ratios = [values[s] / r["warm_ms_by_language"]["en"] for s, r in by_size.items()
                  if s in values and r["warm_ms_by_language"].get("en")]  # fmt: skip
        worst = max(ratios, default=0)
        table.add(
            f"page 1 warm in “{code}”, ms (median)", {s: number(v) for s, v in values.items()},
            target="≤ 1.5× English's, same run" if code != "en" else "",
            outcome=verdict(worst <= 1.5, f"{worst:.2f}× English") if code != "en" else "",
        )  # fmt: skip


def add_post_rows(table, by_size):
    smallest, largest = table.sizes[0], table.sizes[-1]
    for key, label in (("post_top_ms", "top-level comment"), ("post_reply_ms", "reply")):
        growth = by_size[largest][key] / by_size[smallest][key]
        slowest = max(r[key] for r in by_size.values())
        table.per_size(
            f"post a {label}, ms (median)", by_size, key,
            target=f"≤ {POST_BUDGET_MS} ms at every size (#29); "
            f"{size_label(largest)} ≤ {POST_GROWTH}× {size_label(smallest)}",
            outcome=verdict(
                slowest <= POST_BUDGET_MS and growth <= POST_GROWTH,
                f"slowest {slowest:.1f} ms, {growth:.2f}×",
            ),
        )  # fmt: skip
    if all("post_mail_ms" in r for r in by_size.values()):  # results of runs before #13 lack it
        ratio = max(r["post_mail_ms"] / r["post_reply_ms"] for r in by_size.values())
        table.per_size(
            "post a reply asking for mail, ms (median)", by_size, "post_mail_ms",
            target="≈ a reply: nothing waits on mail",
            outcome=verdict(ratio <= POST_GROWTH, f"at most {ratio:.2f}× a reply"),
        )  # fmt: skip


def load_cell(result):
    return f"{number(result['rps'])} req/s, p50 {number(result['p50_ms'])} / p99 " + (
        f"{number(result['p99_ms'])} ms" + (f", {result['errors']} errors" * bool(result["errors"]))
    )


def add_http_rows(table, http):
    size, tool = http["size"], http["article"]["tool"]
    table.add(f"article page 1 under gunicorn ({tool})", {size: load_cell(http["article"])})
    table.add(f"/healthz under gunicorn ({tool})", {size: load_cell(http["healthz"])})
    share = http["article"]["rps"] / http["healthz"]["rps"]
    table.add(
        "article / healthz req/s",
        {size: f"{share:.1%}"},
        f"≥ {HEALTHZ_SHARE:.0%}",
        verdict(share >= HEALTHZ_SHARE, f"{share:.1%} ({share / HEALTHZ_SHARE:.2f}× the target)"),
    )
    tail = http["article"]["p99_ms"] / http["article"]["p50_ms"]
    table.add(
        "article p99 / p50 under gunicorn", {size: f"{tail:.1f}×"}, f"≤ {TAIL_RATIO}×",
        verdict(tail <= TAIL_RATIO, f"{tail:.1f}×"),
    )  # fmt: skip
    if "member" not in http:
        return
    table.add(f"article page 1 for a member ({tool})", {size: load_cell(http["member"])})
    share = http["member"]["rps"] / http["healthz"]["rps"]
    table.add(
        "member / healthz req/s", {size: f"{share:.1%}"}, f"≥ {MEMBER_SHARE:.0%}",
        verdict(share >= MEMBER_SHARE, f"{share:.1%} ({share / MEMBER_SHARE:.2f}× the target)"),
    )  # fmt: skip


def add_busy_rows(table, http):
    """Reads while one reply a second is posted into the same discussion (#17)."""
    size, busy = http["size"], http["busy"]
    alone, writing = busy["alone"], busy["busy"]
    table.add("article page 1, reads alone (same run)", {size: load_cell(alone)})
    share = writing["rps"] / alone["rps"]
    table.add(
        "article page 1 while 1 reply/s is posted and approved",
        {size: f"{load_cell(writing)}; {writing['writes']} posts, "
               f"{writing['failed_writes']} failed"},
        f"≥ {BUSY_SHARE:.0%} of reads alone",
        verdict(share >= BUSY_SHARE and not writing["failed_writes"], f"{share:.0%}"),
    )  # fmt: skip


def add_moderation_rows(table, moderation):
    """The admin's comment lists with many spam comments, and purging them (#17)."""
    where = table.sizes[-1]
    spam = moderation["spam"]
    for label, ms in moderation["lists"].items():
        table.add(
            f"admin: {label}, ms (median), {spam:,} spam in the table", {where: number(ms)},
            f"≤ {ADMIN_BUDGET_MS} ms with 100,000 spam",
            verdict(ms <= ADMIN_BUDGET_MS, f"{number(ms)} ms"),
        )  # fmt: skip
    table.add(
        "purge_spam of old spam: comments, batches, longest batch, total",
        {where: f"{moderation['purged']:,}, {moderation['purge_batches']} batches, longest "
                f"{moderation['purge_longest_s']:.2f} s, total {number(moderation['purge_s'])} s"},
        "in batches, no long locks",
        verdict(moderation["purge_longest_s"] < 5 and moderation["purged"] == spam,
                f"longest batch {moderation['purge_longest_s']:.2f} s"),
    )  # fmt: skip


def add_posting_rows(table, posting, size):
    """Posts per second; the target compares 8 posters in 8 threads with 8 in one thread."""
    runs = posting["runs"]
    alone = runs["1 client"]["posts_per_s"]
    one_thread = runs["8 clients, one thread"]["posts_per_s"]
    for label, result in runs.items():
        rate, errors = result["posts_per_s"], result["errors"]
        cell = f"{number(rate)} posts/s, {errors} errors"
        target = outcome = ""
        if label != "1 client":
            cell += f" ({rate / alone:.2f}× 1 client)"
        if label == "8 clients, one thread":
            target, outcome = "0 errors", verdict(not errors, f"{errors} errors")
        elif label == "8 clients, own threads":
            gain, over_one = rate / one_thread, rate / alone
            target = (
                f"≥ {OWN_THREADS_GAIN}× 1 client (#29) and ≥ {CONCURRENCY_GAIN}× 8 clients "
                "in one thread, 0 errors"
            )
            outcome = verdict(
                over_one >= OWN_THREADS_GAIN and gain >= CONCURRENCY_GAIN and not errors,
                f"{over_one:.2f}× 1 client, {gain:.2f}× one thread, {errors} errors",
            )
        table.add(f"posting: {label}", {size: cell}, target, outcome)
    errors = posting["tree_errors"]
    table.add(
        "tree errors after concurrent posting",
        {size: str(len(errors))},
        "tree_errors() == []",
        verdict(not errors, "; ".join(errors[:3]) or "none"),
    )


def add_memory_row(table, memory):
    rss = memory["rss_mb"]
    table.add(
        f"gunicorn worker peak RSS, MB (largest of {memory['workers']})",
        {memory["size"]: number(rss)},
        f"< {RSS_BUDGET_MB} MB",
        verdict(rss < RSS_BUDGET_MB, f"{number(rss)} MB"),
    )


def add_search_row(table, search):
    """/search/ for two-word queries over the whole site, at the largest discussion built."""
    size = search["size"]
    for name, label in (("common", "common words"), ("rare", "rare words")):
        ms = search[f"search_{name}_ms"]
        index = name == "common" or search["search_uses_index"]
        ok = size < 100_000 or (ms <= SEARCH_BUDGET_MS and index)
        detail = f"{number(ms)} ms" + ("" if index else ", NO full-text index in the plan")
        table.add(
            f"search, two {label}, whole site, ms (median; p95) at {size:,} comments",
            {table.sizes[-1]: f"{number(ms)} ({number(search[f'search_{name}_p95_ms'])}), "
                              f"{number(search[f'search_{name}_found'])} found"},
            f"≤ {SEARCH_BUDGET_MS} ms at 100,000" + (", full-text index" if name == "rare" else ""),
            verdict(ok, detail),
        )  # fmt: skip


def add_import_rows(table, imports):
    """import_wordpress of generated exports: time and peak memory, and again (a no-op)."""
    for size, r in sorted(imports.items(), key=lambda item: int(item[0])):
        table.add(
            f"import_wordpress, {int(size):,} comments ({number(r['file_mb'])} MB of WXR)",
            {table.sizes[-1]: f"{number(r['seconds'])} s, peak RSS {number(r['rss_mb'])} MB; "
             f"again (nothing changes) {number(r['again_seconds'])} s"},
        )  # fmt: skip
    sizes = sorted(imports, key=int)
    growth = imports[sizes[-1]]["rss_mb"] / imports[sizes[0]]["rss_mb"]
    times = int(sizes[-1]) // int(sizes[0])
    table.add(
        "import peak memory, largest / smallest export", {table.sizes[-1]: f"{growth:.2f}×"},
        "flat (streamed)", verdict(growth <= 1.5, f"{growth:.2f}× for {times}× the comments"),
    )  # fmt: skip


def headline(results):
    http = results["http"]
    share = http["article"]["rps"] / http["healthz"]["rps"]
    return (
        f"Headline: the {http['size']:,}-comment article page serves "
        f"{number(http['article']['rps'])} req/s under gunicorn, {share:.1%} of /healthz "
        f"({number(http['healthz']['rps'])} req/s); target ≥ {HEALTHZ_SHARE:.0%}: "
        + ("met" if share >= HEALTHZ_SHARE else "MISSED")
        + (
            f"; a signed-in member's {number(http['member']['rps'])} req/s, "
            f"{http['member']['rps'] / http['healthz']['rps']:.1%} (target ≥ {MEMBER_SHARE:.0%})"
            if "member" in http
            else ""
        )
    )


def markdown(results):
    mode = "QUICK (`make bench QUICK=1`)" if results["quick"] else "full (`make bench`)"
    about = (
        f"{mode} run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {results['seconds']:.0f} s; "
        f"{os.cpu_count()} cores (load average {results['load_average'][0]:.1f} at the end), "
        f"Python {platform.python_version()}, {results['postgres']}; "
        f"gunicorn with the project's gunicorn.conf.py ({results['memory']['workers']} workers)."
    )
    from bench import spam

    return "\n\n".join(
        [
            "# Benchmark results (issue #7)",
            about,
            headline(results),
            "A million comments, 50,000 articles: [results-big.md](results-big.md) "
            "(`make bench BIG=1`, #29).",
            build_table(results).markdown(),
            *(["\n".join(spam.rows(results["spam"]))] if "spam" in results else []),  # #26
        ]
    )


def chart(results, path):
    """Page time and post time against discussion size, log-log, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot, ticker

    sizes, by_size = results["sizes"], results["by_size"]
    figure, (pages, posts, served) = pyplot.subplots(
        1, 3, figsize=(15, 4.2), constrained_layout=True, width_ratios=(1, 1, 0.7)
    )
    series = [
        (pages, "cold_ms", "page 1, cold (median)"),
        (pages, "warm_ms", "page 1, warm (median)"),
        (pages, "warm_p95_ms", "page 1, warm (p95)"),
        (pages, "full_ms", "whole discussion, warm"),
        (posts, "post_top_ms", "top-level comment"),
        (posts, "post_reply_ms", "reply"),
    ]
    for axes, key, label in series:
        axes.plot(sizes, [by_size[s][key] for s in sizes], marker="o", label=label)
    pages.axhline(COLD_BUDGET_MS, color="grey", linestyle=":", label="cold target, 1,000")
    posts.axhline(POST_BUDGET_MS, color="grey", linestyle=":", label="target (#29)")
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    for axes, title in ((pages, "Article page (server time)"), (posts, "Posting through the view")):
        axes.set(xscale="log", yscale="log", xlabel="comments in the discussion", ylabel="ms")
        axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
        axes.xaxis.set_minor_locator(ticker.NullLocator())
        axes.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        axes.yaxis.set_major_formatter(plain)
        axes.yaxis.set_minor_formatter(ticker.NullFormatter())
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize="small")
    http = results["http"]
    loads = [(name, label) for name, label in (
        ("healthz", "/healthz"), ("article", "no session"), ("member", "a member"),
    ) if name in http]  # fmt: skip
    bars = served.bar([label for _, label in loads], [http[name]["rps"] for name, _ in loads])
    served.bar_label(bars, fmt="{:,.0f}")
    served.set(ylabel="requests/s", title=f"One app server, {http['size']:,} comments")
    served.grid(True, axis="y", alpha=0.3)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
