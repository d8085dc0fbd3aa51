"""Categories and tags of articles (issue #28), as WordPress has them.

A category sits under at most one parent, to any depth. Each row stores its ``path``, the slugs
from the top down ("news/local"): its address (/category/news/local/) is read without a query,
the category of an address is one query, and "this category and every one below it" is a prefix
match on an indexed column. ``Category.save`` keeps the paths of its subtree right when a slug or
a parent changes; ``clean`` refuses a parent below the category itself (a loop).

Tags are flat. Slugs are unique among categories and among tags; an imported one is kept as the
old site had it, so its old address still names it.
"""

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import text

# The last segments of an archive's address: /category/news/feed/ is the feed of "news" and
# /category/news/page/2/ its second page in WordPress's scheme, never a subcategory (#28).
RESERVED_SLUGS = frozenset({"feed", "page", "rss"})
MAX_DEPTH = 20
# Category moves run one at a time (a two-key advisory lock, like comments' thread locks): two
# editors moving X under Y and Y under X at once would otherwise make a loop.
TREE_LOCK = (1_702_000_028, 1)
SLUG_LENGTH = 200
PATH_LENGTH = 2000


def not_reserved(slug):
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is part of this site's addresses: choose another slug."),
            params={"slug": slug}, code="reserved",
        )  # fmt: skip


def no_slash(slug):
    if "/" in slug or not slug.strip():
        raise ValidationError(_("A slug cannot be empty or hold a “/”."), code="slash")


def refuse_invisible_name(name):
    """A term's name is a one-line name (``core.text``): nothing that hides or reorders text."""
    try:
        text.refuse_invisible(name, text.JOINERS)
    except ValidationError as error:
        raise ValidationError({"name": error}) from None


class CategoryQuerySet(models.QuerySet):
    def with_subcategories(self, category):
        """``category`` and every category below it, at any depth."""
        return self.filter(Q(pk=category.pk) | Q(path__startswith=f"{category.path}/"))

    def ancestors_of(self, category):
        """The categories above ``category``, from the top down (one query)."""
        parts = category.path.split("/")
        paths = ["/".join(parts[:n]) for n in range(1, len(parts))]
        return self.filter(path__in=paths).order_by("path") if paths else self.none()


class Category(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=SLUG_LENGTH, unique=True, allow_unicode=True,
        validators=[not_reserved, no_slash],
        help_text=_("Its part of the address: /category/<parent slugs>/<slug>/."),
    )  # fmt: skip
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )  # fmt: skip
    description = models.TextField(_("description"), blank=True)
    path = models.CharField(max_length=PATH_LENGTH, unique=True, editable=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], opclasses=["varchar_pattern_ops"],
                         name="category_path_prefix_idx"),
        ]  # fmt: skip

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Store the path, and move the paths of every category below along with it."""
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", TREE_LOCK)
            old = self.path
            parent = (
                Category.objects.only("path").get(pk=self.parent_id) if self.parent_id else None
            )
            if old and parent is not None and (parent.path + "/").startswith(f"{old}/"):
                raise ValidationError({"parent": _("That category is below this one: pick "
                                                   "another.")})  # fmt: skip
            self.path = f"{parent.path}/{self.slug}" if parent else self.slug
            super().save(*args, **kwargs)
            if old and old != self.path:
                Category.objects.filter(path__startswith=f"{old}/").update(
                    path=Concat(Value(self.path), Substr("path", len(old) + 1))
                )

    def get_absolute_url(self):
        return reverse("articles:category", args=[self.path])

    def clean(self):
        super().clean()
        refuse_invisible_name(self.name)
        if self.parent_id is None:
            return
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A category cannot be its own parent.")})
        parent = Category.objects.only("path").get(pk=self.parent_id)
        if self.pk and self.path and parent.path.startswith(f"{self.path}/"):
            raise ValidationError({"parent": _("That category is below this one: pick another.")})
        if parent.path.count("/") + 1 >= MAX_DEPTH:
            raise ValidationError(
                {"parent": _("Categories nest at most %(n)s deep.") % {"n": MAX_DEPTH}}
            )

    def depth(self):
        """0 for a top-level category."""
        return self.path.count("/")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=SLUG_LENGTH, unique=True, allow_unicode=True,
        validators=[no_slash], help_text=_("Its part of the address: /tag/<slug>/."),
    )  # fmt: skip
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", args=[self.slug])

    def clean(self):
        super().clean()
        refuse_invisible_name(self.name)
