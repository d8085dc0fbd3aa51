import sys

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from imports import export


class Command(BaseCommand):
    help = (
        "Write articles and their comments as a WordPress export (WXR 1.2): statuses, threads, "
        "authors and dates, for WordPress's importer or import_wordpress."
    )

    def add_arguments(self, parser):
        parser.add_argument("--article", metavar="SLUG", help="Only this article.")
        parser.add_argument("-o", "--output", metavar="FILE", help="Write here, not to stdout.")

    def handle(self, *, article, output, **options):
        articles = Article.objects.all()
        if article:
            articles = articles.filter(slug=article)
            if not articles.exists():
                raise CommandError(f"No article has the slug “{article}”.")
        if not output:
            export.write(self.stdout, articles)
            return
        try:
            with open(output, "w", encoding="utf-8") as out:
                export.write(out, articles)
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror or error}") from None
        print(f"Wrote {output}", file=sys.stderr)
