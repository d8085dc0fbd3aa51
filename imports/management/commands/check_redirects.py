"""Where every address of a WordPress export lands on this site now (issue #28).

Run it after ``import_wordpress`` with the same file: each post's and page's <link>, <guid>
and ``/?p=<id>``, its comments feed and its day, month and year archives; each category's,
tag's and author's archive and feed; the site's feeds. Each is asked of this site as a reader's
browser would (through the whole stack, following up to MAX_HOPS redirects), and printed with
where it ends and that page's status. Addresses that end nowhere (404) are counted at the end;
``--missing`` prints only those.
"""

import re
from collections import Counter
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from imports import wordpress
from imports.xml import BadExport

MAX_HOPS = 5


class Command(BaseCommand):
    help = "Print every address of a WordPress export and where it lands on this site now."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.xml")
        parser.add_argument("--missing", action="store_true", help="Print only the 404s.")

    def handle(self, *, file, missing, verbosity, **options):
        try:
            addresses = list(dict.fromkeys(addresses_of(file)))
        except BadExport as error:
            raise CommandError(f"{file}: {error}") from None
        host = urlsplit(settings.SITE_URL).netloc or "localhost"
        client = Client(HTTP_HOST=host, raise_request_exception=False)
        outcome = Counter()
        for address in addresses:
            hops, status = land(client, address)
            outcome["found" if status == 200 else f"status {status}"] += 1
            if missing and status != 404:
                continue
            trail = " → ".join(f"{where} ({code})" for where, code in hops)
            self.stdout.write(f"{address}  →  {trail}" if trail else f"{address}  ({status})")
        width = max([len(k) for k in outcome] or [5]) + 2
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{len(addresses)} addresses checked:"))
        for key, count in sorted(outcome.items()):
            self.stdout.write(f"  {key:<{width}}{count:>8}")


def land(client, address):
    """([(address, status) of each redirect's target], final status)."""
    hops, response = [], client.get(address)
    while response.status_code in (301, 302, 307, 308) and len(hops) < MAX_HOPS:
        target = response.headers["Location"]
        parts = urlsplit(target)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        hops.append((target, response.status_code))
    return hops, response.status_code


def path_of(url):
    """The path and query of ``url`` as a browser asks for it ("//" once: a path that begins
    with two would read as a host)."""
    parts = urlsplit(url.strip())
    path = re.sub("/+", "/", quote(parts.path, safe="/%")) or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def addresses_of(path):
    """The export's addresses, as paths (with their query) on its old site."""
    site = ""
    categories = {}  # slug: parent slug
    yield from ("/feed/", "/comments/feed/")
    for event, value in wordpress.read(path):
        if event in ("site", "link"):
            site = site or value
        elif event == "term" and value.kind == "category":
            categories[value.slug] = value.parent
        elif event == "term":
            yield f"/tag/{value.slug}/"
            yield f"/tag/{value.slug}/feed/"
        elif event == "author" and value.login:
            yield f"/author/{value.login}/"
        elif event == "item" and value.post is not None:
            yield from post_addresses(value.post, site)
    for slug in categories:
        chain, seen, up = [], set(), slug
        while up and up not in seen:  # a loop of parents ends where it closes
            seen.add(up)
            chain.append(up)
            up = categories.get(up, "")
        yield f"/category/{'/'.join(reversed(chain))}/"
        yield f"/category/{'/'.join(reversed(chain))}/feed/"


def post_addresses(post, site):
    host = urlsplit(site).netloc.lower()
    yield f"/?p={post.source_id}"
    for url in (post.link, post.guid):
        parts = urlsplit(url)
        if parts.netloc.lower() == host and (parts.path not in ("", "/") or parts.query):
            yield path_of(url)
            if not parts.query:
                yield path_of(url).rstrip("/") + "/feed/"
    if post.published_at is not None and post.status == "published":
        date = post.published_at
        yield from (f"/{date:%Y}/", f"/{date:%Y/%m}/", f"/{date:%Y/%m/%d}/")
