"""Clear the IP addresses of comments older than the Discussion settings keep them (issue #12).

IP addresses serve flood control, bans and moderation for a while; after "keep IP addresses
(days)" (90 by default; 0 keeps them) they are only personal data. Run this daily from cron: it
is one UPDATE, safe while the site serves, and does nothing the second time.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from comments.services import forget_old_ip_addresses


class Command(BaseCommand):
    help = "Clear the IP addresses of comments older than the Discussion settings keep them."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        n = forget_old_ip_addresses(dry_run=dry_run)
        if verbosity:
            done = "would be cleared" if dry_run else "cleared"
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext("%d IP address", "%d IP addresses", n) % n + f" {done}."
                )
            )
