import time

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import OuterRef
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from core.markup import article_html, excerpt
from taxonomy.models import RESERVED_SLUGS, Category, Tag, not_reserved

EXCERPT_WORDS = 50
# A page also changes with time alone (comments close some days after publication): a cached
# page is rendered again at least this often (#17).
PAGE_SECONDS = 300


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see: published, and not dated in the future."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user):
        """Published articles, and for staff every draft and scheduled one as well."""
        return self.all() if user.is_staff else self.published()

    def for_front_page(self):
        """Published articles, newest first, with their authors and terms in the same query."""
        return (
            self.published().select_related("author").with_terms()
            .order_by("-published_at", "-pk")
        )  # fmt: skip

    def with_terms(self):
        """Each article's categories and tags (``category_terms``, ``tag_terms``: lists of
        {"name", "path"} and {"name", "slug"}) in the article's own query: a page that names
        them makes no more queries (#28)."""
        categories = Category.objects.filter(articles=OuterRef("pk")).order_by("name", "pk")
        tags = Tag.objects.filter(articles=OuterRef("pk")).order_by("name", "pk")
        return self.annotate(
            category_terms=ArraySubquery(
                categories.values(json=JSONObject(name="name", path="path"))
            ),
            tag_terms=ArraySubquery(tags.values(json=JSONObject(name="name", slug="slug"))),
        )

    def in_category(self, category):
        """Published articles of ``category`` or of any category below it, newest first."""
        below = Category.objects.with_subcategories(category)
        through = Article.categories.through.objects.filter(category__in=below)
        return self.for_front_page().filter(pk__in=through.values("article_id"))

    def tagged(self, tag):
        """Published articles with ``tag``, newest first."""
        return self.for_front_page().filter(tags=tag)

    def by(self, author):
        """Published articles ``author`` wrote, newest first."""
        return self.for_front_page().filter(author=author)

    def of_month(self, year, month=None):
        """Published articles of a year, or of one of its months (in the site's time zone)."""
        found = self.for_front_page().filter(published_at__year=year)
        return found if month is None else found.filter(published_at__month=month)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="Made from the title when left blank.",
        validators=[not_reserved],  # /2016/11/feed/ is the month's feed (#28)
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles"
    )
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False)
    excerpt = models.TextField(
        blank=True, help_text="Shown on the front page; made from the body when left blank."
    )
    summary = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when first published; a future date schedules it."
    )
    comments_open = models.BooleanField(default=True)
    # Topics and keywords (#28), as WordPress has them; pages read them through ``with_terms``.
    categories = models.ManyToManyField(Category, blank=True, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    # Written here in Markdown; imported articles keep the HTML of their old site (#14).
    markup = models.CharField(
        max_length=10, choices=[("markdown", "Markdown"), ("html", "HTML")], default="markdown"
    )
    # Where an imported article came from ("wordpress:https://old.example") and its id there:
    # importing again finds it instead of adding it twice (#14).
    source = models.CharField(max_length=200, blank=True, editable=False)
    source_id = models.CharField(max_length=100, blank=True, editable=False)
    # Its address on the old site: a Disqus export names articles by it.
    source_url = models.URLField(max_length=500, blank=True, editable=False)
    # Title and text for full-text search, kept by a PostgreSQL trigger on every write (#15).
    search_vector = SearchVectorField(null=True, editable=False)
    # Kept by comments.services in the transaction of every comment write or moderation (#7):
    # approved comments, threads a reader sees, and a version that keys the discussion's cache.
    comment_count = models.PositiveIntegerField("comments", default=0, editable=False)
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    comments_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Votes change scores without bumping the version: cached pages show new scores once this
    # moves, at most every few seconds (#16).
    votes_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Approved featured comments (#16): pages look them up only when there are some.
    featured_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_published_idx"),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""),
                name="article_imported_once",
            )
        ]  # fmt: skip

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.body_html = article_html(self.body, self.markup)
        self.summary = self.excerpt.strip() or excerpt(self.body_html, EXCERPT_WORDS)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        date = timezone.localtime(self.published_at or self.created_at)
        return reverse(
            "articles:detail", kwargs={"year": date.year, "month": date.month, "slug": self.slug}
        )

    def canonical_url(self):
        """The full address, for search engines and shared links."""
        return settings.SITE_URL + self.get_absolute_url()

    # What ``versions`` and ``get_absolute_url`` read: a kept page needs no more (#17).
    VERSION_FIELDS = ["slug", "published_at", "created_at", "updated_at", "comments_version",
                      "votes_version"]  # fmt: skip

    def versions(self):
        """What the article's pages show changes with: its row, its discussion's and its
        scores' versions (moved by ``comments.freshness``), and the time, since comments close
        some days after publication. Cache keys are built from it by ``core.freshness``."""
        return (
            self.pk, self.updated_at.timestamp(), self.comments_version, self.votes_version,
            int(time.time() // PAGE_SECONDS),
        )  # fmt: skip

    def unique_slug(self, wanted=""):
        """``wanted`` (or else the title) as a slug no other article has: "-2", "-3"... added."""
        base = slugify(wanted)[:190] or slugify(self.title)[:190] or "article"
        slug, n = base, 1
        while slug in RESERVED_SLUGS or (
            Article.objects.filter(slug=slug).exclude(pk=self.pk).exists()
        ):
            n += 1
            slug = f"{base}-{n}"
        return slug

    def is_published(self):
        """The single-article twin of ``ArticleQuerySet.published()``."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    is_published.boolean = True

    def terms(self):
        """(categories, tags) as ``with_terms`` gives them, read now if it did not."""
        if not hasattr(self, "category_terms"):
            self.category_terms = list(self.categories.values("name", "path"))
            self.tag_terms = list(self.tags.values("name", "slug"))
        return self.category_terms, self.tag_terms
