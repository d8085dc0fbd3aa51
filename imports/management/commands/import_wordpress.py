import sys
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from imports import wordpress
from imports.loading import Loader
from imports.report import Report
from imports.xml import BadExport


class Command(BaseCommand):
    help = (
        "Import posts and their comments from WordPress export files (Tools → Export, WXR 1.0 "
        "to 1.2). Running it again changes nothing; a newer export adds what is new."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--pages", action="store_true", help="Import pages as well as posts.")
        parser.add_argument(
            "--no-pings", action="store_true", help="Leave pingbacks and trackbacks out."
        )
        parser.add_argument(
            "--site", metavar="URL", default="",
            help="The old site's address, for exports that do not name it (no wp:base_blog_url "
                 "or channel <link>); give the same one every time you import from that site.",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="Report without writing.")

    def handle(self, *, files, pages, no_pings, site, dry_run, verbosity, **options):
        report, authors = Report(), {}
        given = site.strip().rstrip("/") if site_of(site) else ""
        if site and not given:
            raise CommandError(f"--site {site}: give an address such as https://old.example.com.")
        for path in files:
            try:
                self.import_file(path, report, pages=pages, pings=not no_pings, dry_run=dry_run,
                                 authors=authors, given=given)  # fmt: skip
            except BadExport as error:
                raise CommandError(f"{path}: {error}") from None
        report.finish(self.stdout, dry_run=dry_run)

    def import_file(self, path, report, *, pages, pings, dry_run, authors, given=""):
        # First the whole file is read once: a malformed one is refused before anything is
        # written, and the progress bar knows its length.
        items, site, link, from_items, terms = 0, "", "", "", []
        for event, value in wordpress.read(path):
            items += event == "item"
            if event == "term":
                terms.append(value)
            site = value if event == "site" else site
            link = value if event == "link" else link
            if event == "item" and value.post and not from_items:
                from_items = site_of(value.post.link)
        # Which site the rows come from keeps a second import from adding them again: the
        # export's word, else --site, else the address of its posts (#24).
        site = site or link or given or from_items
        if not site:
            raise BadExport("The export does not say which site it comes from (no "
                            "wp:base_blog_url, no channel <link> and no post <link>): name it "
                            "with --site https://old.example.com.")  # fmt: skip
        loader = Loader(f"wordpress:{site}", report=report, dry_run=dry_run, pings=pings,
                        authors=authors)  # fmt: skip
        loader.terms.load(terms)  # every category and tag, those without posts too (#28)
        progress = tqdm(total=items, unit=" items", disable=not sys.stderr.isatty(), desc=path)
        for event, value in wordpress.read(path):
            if event == "author":
                loader.add_author(value)
            elif event == "item":
                progress.update()
                self.load_item(value, loader, report, pages=pages)
        progress.close()

    def load_item(self, item, loader, report, *, pages):
        if item.skip:
            report.skipped[plural(item.skip)] += 1
            return
        if item.post_type == "page" and not pages:
            report.skipped["pages (--pages imports them)"] += 1
            return
        for note in item.notes:
            report.note(f"“{item.post.title}”: {note}")
        loader.load_article(item.post, item.remarks)


def site_of(url):
    """The scheme and host of an http(s) address ("https://old.example"), or ""."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def plural(reason):
    names = {"attachment": "attachments (media files)", "nav_menu_item": "menu items"}
    return names.get(reason, reason)
