"""Delete old spam in batches (issue #17): `manage.py purge_spam --older-than 30`.

Spam is kept for a while so that moderators can rescue a false positive; after that it only
weighs on the table. Each batch is its own short transaction: run it while the site serves,
from cron, as often as you like.
"""

import sys
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import ngettext
from tqdm import tqdm

from comments.services import purge_spam


class Command(BaseCommand):
    help = "Delete spam comments older than --older-than days, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *, older_than, batch_size, dry_run, verbosity, **options):
        if older_than < 0 or batch_size < 1:
            raise CommandError("--older-than must be 0 or more, --batch-size 1 or more.")
        cutoff = timezone.now() - timedelta(days=older_than)
        bar = tqdm(unit=" comments", disable=dry_run or not sys.stderr.isatty())
        deleted, kept = purge_spam(older_than=cutoff, batch_size=batch_size, dry_run=dry_run,
                                   progress=bar.update)  # fmt: skip
        bar.close()
        if verbosity:
            verb = "would be deleted" if dry_run else "deleted"
            self.stdout.write(self.style.SUCCESS(
                ngettext("%d spam comment", "%d spam comments", deleted) % deleted + f" {verb}"
                + (f"; {kept} kept because replies hang from them." if kept else ".")
            ))  # fmt: skip
