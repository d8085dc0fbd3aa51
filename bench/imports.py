"""The import benchmark (issue #14): a generated WordPress export of many comments, imported by
`manage.py import_wordpress` in a process of its own, which reports its peak memory; then the
same file again, which must change nothing."""

import json
import random
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

COMMENTS_PER_POST = 1_000
WORDS = [
    "tide",
    "moon",
    "garden",
    "river",
    "lantern",
    "copper",
    "meadow",
    "harbour",
    "&amp;",
    "<em>quite</em>",
    '<a href="https://example.org/">a link</a>',
    "😀",
    "é",
    "שלום",
]
RUN = """
import json, re, sys, time
import django
django.setup()
from django.core.management import call_command
from io import StringIO
started = time.perf_counter()
call_command("import_wordpress", sys.argv[1], stdout=StringIO())
# VmHWM: this process's own peak, which, unlike ru_maxrss, does not start from the size of
# the benchmark process it was forked from.
peak = re.search(r"VmHWM:\s+(\d+) kB", open("/proc/self/status").read()).group(1)
print(json.dumps({"seconds": time.perf_counter() - started, "rss_mb": int(peak) / 1024}))
"""


def write_export(path, comments, seed=7):
    """A WXR 1.2 file of ``comments`` comments, 1,000 a post, in threads up to 10 deep."""
    rng = random.Random(seed)
    with Path(path).open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                  'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
                  "<link>https://bench.example</link><wp:wxr_version>1.2</wp:wxr_version>\n"
                  "<wp:base_blog_url>https://bench.example</wp:base_blog_url>\n")  # fmt: skip
        next_id = 1
        for post in range(1, comments // COMMENTS_PER_POST + 1):
            out.write(f"<item><title>Post {post}</title><link>https://bench.example/?p={post}"
                      f"</link><dc:creator>editor</dc:creator><content:encoded><![CDATA[<p>Post "
                      f"{post}</p>]]></content:encoded><wp:post_id>{post}</wp:post_id>"
                      "<wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt>"
                      f"<wp:post_name>post-{post}</wp:post_name><wp:status>publish</wp:status>"
                      "<wp:post_type>post</wp:post_type><wp:comment_status>open"
                      "</wp:comment_status>\n")  # fmt: skip
            depth, shallow = {}, []  # shallow: the post's comments a reply may still answer
            for n in range(COMMENTS_PER_POST):
                cid = next_id + n
                earlier = shallow[-50:]
                parent = rng.choice(earlier) if earlier and rng.random() < 0.6 else 0
                depth[cid] = depth[parent] + 1 if parent else 0
                if depth[cid] < 9:
                    shallow.append(cid)
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60)))
                status = "0" if cid % 20 == 0 else "1"
                out.write(comment_xml(cid, parent, n, status, text))
            next_id += COMMENTS_PER_POST
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def comment_xml(cid, parent, n, status, text):
    fields = {
        "comment_id": cid, "comment_author": f"Reader {cid % 97}",
        "comment_author_email": f"r{cid % 97}@example.com",
        "comment_author_IP": f"192.0.2.{cid % 250}",
        "comment_date_gmt": f"2020-01-{1 + n // 40:02d} 10:{n % 60:02d}:00",
        "comment_content": f"{escape(text)}\n\n{escape(text[:40])}",
        "comment_approved": status, "comment_parent": parent,
    }  # fmt: skip
    inner = "".join(f"<wp:{name}>{value}</wp:{name}>" for name, value in fields.items())
    return f"<wp:comment>{inner}</wp:comment>\n"


def import_once(path):
    done = subprocess.run([sys.executable, "-c", RUN, str(path)], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(sizes, workdir, progress, *, again=True):
    """{size: {file_mb, seconds, rss_mb, again_seconds, again_rss_mb}}; ``again=False``: the
    first import alone (a million comments take half an hour)."""
    results = {}
    for size in sizes:
        path = Path(workdir) / f"import-{size}.xml"
        write_export(path, size)
        first = import_once(path)
        results[size] = {
            "file_mb": path.stat().st_size / 1e6,
            "seconds": first["seconds"], "rss_mb": first["rss_mb"],
        }  # fmt: skip
        said = f"imported {size:,} comments in {first['seconds']:.1f} s, peak RSS "
        said += f"{first['rss_mb']:.0f} MB"
        if again:
            second = import_once(path)
            results[size].update(again_seconds=second["seconds"], again_rss_mb=second["rss_mb"])
            said += f"; again in {second['seconds']:.1f} s"
        path.unlink()
        progress(said)
    return results
