import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.models import Article
from imports import disqus
from imports.loading import Loader
from imports.report import Report
from imports.xml import BadExport

BATCH = 2000  # posts staged per INSERT


class Command(BaseCommand):
    help = (
        "Import the comments of a Disqus export onto this site's articles, found by URL (or a "
        "CSV map). Running it again changes nothing; a newer export adds what is new."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--site-url", metavar="URL",
            help="The old site's address (e.g. https://blog.example.com): thread links on it "
            "are read as paths of this site.",
        )  # fmt: skip
        parser.add_argument(
            "--map", metavar="CSV",
            help="A CSV file of “thread link or Disqus identifier, article slug or URL” rows, "
            "for threads whose address changed.",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="Report without writing.")

    def handle(self, *, file, site_url, map, dry_run, **options):
        report = Report()
        try:
            self.import_file(file, report, site_url=site_url, map_path=map, dry_run=dry_run)
        except BadExport as error:
            raise CommandError(f"{file}: {error}") from None
        report.finish(self.stdout, dry_run=dry_run)

    def import_file(self, path, report, *, site_url, map_path, dry_run):
        chosen = disqus.read_map(map_path) if map_path else {}
        # Reading the whole file first: its posts go to a temporary table, and a malformed
        # file is refused before anything is written.
        disqus.create_stage()
        forum, threads, batch = "", [], []
        for event, value in disqus.read(path):
            if event == "forum":
                forum = value
            elif event == "thread":
                threads.append(value)
            elif event == "post":
                batch.append(value)
                if len(batch) == BATCH:
                    disqus.stage(batch)
                    batch = []
        disqus.stage(batch)
        posts = disqus.staged_threads()
        loader = Loader(f"disqus:{forum or 'unknown'}", report=report, dry_run=dry_run)
        finder = ArticleFinder(site_url, chosen)
        keys_of = {}  # article: the keys of every thread that is that article
        for thread in threads:
            count = sum(posts.pop(key, 0) for key in thread.keys)
            if not count:
                continue
            article = finder.find(thread)
            if article is None:
                report.skipped["posts of threads without an article"] += count
                report.note(
                    f"thread “{thread.title.strip()}” ({thread.link or 'no link'}): no article "
                    f"here has that address; {count} posts left out"
                )
                continue
            keys_of.setdefault(article, []).extend(thread.keys)
        if posts:
            report.skipped["posts of threads the export does not declare"] += sum(posts.values())
        progress = tqdm(total=len(keys_of), unit=" articles", disable=not sys.stderr.isatty())
        for article, keys in keys_of.items():
            loader.load_comments(article, disqus.remarks_of(keys))
            report.articles["with comments from Disqus"] += 1
            progress.update()
        progress.close()


class ArticleFinder:
    """The article a Disqus thread is about: by the map file, then by the article's address on
    the old site (kept by import_wordpress), then by its address here. Never a guess."""

    def __init__(self, site_url, chosen):
        self.old_host = disqus.normal(site_url).split("/")[0] if site_url else ""
        self.here = disqus.normal(settings.SITE_URL).split("/")[0]
        self.chosen = chosen
        self.by_old_url, self.by_path, self.by_slug = {}, {}, {}
        fields = ["pk", "slug", "published_at", "created_at", "source_url", "title"]
        for article in Article.objects.only(*fields).iterator():
            if article.source_url:
                self.by_old_url[disqus.normal(article.source_url)] = article
            self.by_path[article.get_absolute_url().rstrip("/")] = article
            self.by_slug[article.slug] = article

    def find(self, thread):
        for key in (thread.link, *thread.keys):
            if key in self.chosen:
                return self.named(self.chosen[key])
        link = disqus.normal(thread.link) if thread.link else ""
        if link in self.by_old_url:
            return self.by_old_url[link]
        host, _, path = link.partition("/")
        if host and host in (self.old_host, self.here):
            return self.by_path.get(f"/{path}".rstrip("/") or "/")
        return None

    def named(self, value):
        """An article by slug or URL, as a map file names it."""
        path = urlsplit(value).path.rstrip("/") if "/" in value else ""
        return self.by_path.get(path) or self.by_slug.get(value.strip("/"))
