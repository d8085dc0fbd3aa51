"""Store again the headers of comments rendered at an older markup version (issue #11).

A comment's header (avatar, name, badge, date) is rendered from
``templates/jinja2/comments/_comment.html`` when the comment is saved, and stored with the
MARKUP_VERSION of ``core/freshness.py``. After the template changes and that version is bumped,
pages render the older headers afresh on every view (and never store them: a read never writes)
until this command has stored them again. Run it after such a deploy; it is safe while serving.
"""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext
from tqdm import tqdm

from comments.markup import store_headers
from comments.models import Comment
from core.freshness import MARKUP_VERSION


class Command(BaseCommand):
    help = "Render and store the headers of comments rendered at an older markup version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Render every comment's header, not only old ones."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the comments it would render."
        )

    def handle(self, *args, all=False, dry_run=False, verbosity=1, **options):
        comments = Comment.objects.all()
        if not all:
            comments = comments.exclude(markup_version=MARKUP_VERSION)
        total = comments.count()
        if dry_run:
            said = ngettext("%d comment header would be rendered.",
                            "%d comment headers would be rendered.", total)  # fmt: skip
            self.stdout.write(said % total)
            return
        shown = verbosity > 0 and sys.stderr.isatty()
        with tqdm(total=total, unit="comment", disable=not shown) as bar:
            done = store_headers(comments, progress=bar.update)
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "%(n)d comment header rendered at markup version %(v)d.",
                        "%(n)d comment headers rendered at markup version %(v)d.",
                        done,
                    )
                    % {"n": done, "v": MARKUP_VERSION}
                )
            )
