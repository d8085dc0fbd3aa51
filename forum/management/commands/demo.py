"""Load demo content into an empty site, so `make run` shows a real discussion at once.

Creates a superuser who is also the articles' author, three published articles and, on the first,
a six-comment discussion in two threads with the author replying. Does nothing when articles
exist already, so it is safe to run on every start.
"""

import os
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.markup import store_headers
from comments.models import Comment, DiscussionSettings

ARTICLES = [
    (
        "Bringing back the neighbourhood tool library",
        "Most drills are used for **thirteen minutes** in their whole life. A shelf of shared "
        "tools in the community hall turns that idle stock into something the whole street can "
        "use.\n\n## How ours started\n\nEleven households, one spreadsheet and a borrowed "
        "cupboard. Within a month we had ladders, a tile cutter and two sewing machines.\n\n"
        "> The hard part was never the tools. It was agreeing on when the cupboard opens.\n\n"
        "We now lend about forty items a week. Here is what we learned about deposits, damage "
        "and the one neighbour who keeps the pressure washer for a fortnight.",
    ),
    (
        "What a year of cycling to work taught me",
        "Twelve months, 3,100 kilometres and exactly one puncture on the day it mattered.\n\n"
        "- Mudguards are not optional.\n- A dry pair of socks at the office is a luxury.\n"
        "- Side streets beat painted lanes on a main road.\n\nThe surprise was how much calmer "
        "the mornings became once the commute stopped depending on the traffic report.",
    ),
    (
        "Keeping a sourdough starter alive through the summer",
        "Heat makes a starter race. Feed it cooler water, keep a smaller amount, and move it to "
        "the fridge between bakes. A starter that smells of nail varnish is hungry, not dead.",
    ),
]

# (who, website, body, index of the comment replied to or None); "author" is the article author.
DISCUSSION = [
    ("Priya Natarajan", "https://example.org/priya",
     "We tried this in our building and the sticking point was insurance, not space. Did the "
     "hall's policy cover borrowed equipment, or did you need something separate?", None),
    ("author", "",
     "The hall's policy covered the cupboard itself. For the tools we ask for a small refundable "
     "deposit on anything with a motor, and that has been enough so far.", 0),
    ("Priya Natarajan", "https://example.org/priya",
     "A deposit is a good middle ground. I will bring that to our next residents' meeting.", 1),
    ("Tomás Herrera", "",
     "Forty loans a week is impressive. How do you keep track of who has what? A spreadsheet "
     "sounds like it would fall apart quickly.", None),
    ("author", "",
     "It nearly did! We moved to a paper card per tool that hangs on a hook, plus a photo of "
     "the card in our group chat. Low tech, but nobody forgets to use it.", 3),
    ("Lin Okafor", "https://example.net/lin",
     "Paper cards are underrated. Our seed library uses the same trick and it has outlasted "
     "three different apps.", 4),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load demo articles and a threaded discussion when the site has no articles yet."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        if dry_run:
            self.stdout.write(
                f"Would create {len(ARTICLES)} articles and {len(DISCUSSION)} comments."
            )
            return
        with transaction.atomic():
            author = self._superuser()
            if Article.objects.exists():
                if verbosity:
                    self.stdout.write("Articles exist already: demo content not loaded.")
                return
            articles = self._articles(author)
            # The discussion is written in one go: flood control would refuse its second comment.
            rules = DiscussionSettings.load()
            kept = rules.flood_seconds, rules.new_author_flood_seconds
            rules.flood_seconds = rules.new_author_flood_seconds = 0
            rules.save()
            self._discussion(articles[0], author)
            rules.flood_seconds, rules.new_author_flood_seconds = kept
            rules.save()
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {len(ARTICLES)} articles and {len(DISCUSSION)} comments.")
        )

    def _superuser(self):
        """The demo superuser, with a password printed once or from DJANGO_SUPERUSER_PASSWORD."""
        given = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        user, created = get_user_model().objects.get_or_create(
            username="admin",
            defaults={"first_name": "Elena", "last_name": "Marsh", "email": "elena@example.com",
                      "is_staff": True, "is_superuser": True},
        )  # fmt: skip
        if created or given:
            password = given or secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            if not given:
                self.stdout.write(
                    self.style.WARNING(
                        f"Admin login: user 'admin', password '{password}' (shown only once)."
                    )
                )
        return user

    def _articles(self, author):
        now = timezone.now()
        return [
            Article.objects.create(
                title=title,
                body=body,
                author=author,
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(days=3 * i + 1),
            )  # fmt: skip
            for i, (title, body) in enumerate(ARTICLES)
        ]

    def _discussion(self, article, author):
        posted = []
        for who, website, body, parent in DISCUSSION:
            is_author = who == "author"
            posted.append(
                services.post_comment(
                    article=article,
                    parent=posted[parent] if parent is not None else None,
                    user=author if is_author else None,
                    author_name=author.get_full_name() if is_author else who,
                    author_email=author.email
                    if is_author
                    else f"{who.split()[0].lower()}@example.com",
                    author_url=website,
                    body=body,
                )
            )
        # Spread the comments over the day after publication, in the order they were written.
        for n, comment in enumerate(posted):
            created_at = article.published_at + timedelta(hours=2 + 3 * n)
            Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
        # Their stored headers show the date: render them again with the new one (#24).
        store_headers(Comment.objects.filter(article=article))
        # The readers are new here, so the "hold first comments" rule held them: approve them
        # (last, so that the cached pages go with the change).
        services.set_status(
            Comment.objects.filter(article=article),
            Comment.Status.APPROVED,
            by=author,
            reason="demo",
        )
