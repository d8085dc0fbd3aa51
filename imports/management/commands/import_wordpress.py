import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from imports import wordpress
from imports.loading import Loader, Report
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
        parser.add_argument("--dry-run", action="store_true", help="Report without writing.")

    def handle(self, *, files, pages, no_pings, dry_run, verbosity, **options):
        report, authors = Report(), {}
        for path in files:
            try:
                self.import_file(path, report, pages=pages, pings=not no_pings, dry_run=dry_run,
                                 authors=authors)  # fmt: skip
            except BadExport as error:
                raise CommandError(f"{path}: {error}") from None
        report.finish(self.stdout, dry_run=dry_run)

    def import_file(self, path, report, *, pages, pings, dry_run, authors):
        # First the whole file is read once: a malformed one is refused before anything is
        # written, and the progress bar knows its length.
        items, site, link = 0, "", ""
        for event, value in wordpress.read(path):
            items += event == "item"
            site = value if event == "site" else site
            link = value if event == "link" else link
        if not (site or link):
            raise BadExport("The export does not say which site it comes from "
                            "(no wp:base_blog_url and no channel <link>).")  # fmt: skip
        loader = Loader(f"wordpress:{site or link}", report=report, dry_run=dry_run, pings=pings,
                        authors=authors)  # fmt: skip
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


def plural(reason):
    names = {"attachment": "attachments (media files)", "nav_menu_item": "menu items"}
    return names.get(reason, reason)
