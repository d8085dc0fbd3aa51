"""Sites that embed forum's discussions, and their pages (#30).

A ``Site`` is an origin (``https://blog.example.com``) allowed to frame the discussion and ask
for counts: one added in the admin, or one listed in ``EMBED_SITES`` (made a row on its first
visit, so that staff can rename or deactivate it). An ``EmbeddedPage`` is one canonical address
of such a site and the article that holds its discussion: made on the first visit, and pointed
at another article by staff to merge two discussions into one. A ``SignIn`` carries a member's
sign-in from a popup on forum's own origin into one frame.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from embed.addresses import origin_of


class SiteQuerySet(models.QuerySet):
    def active(self):
        """Sites allowed to embed now."""
        return self.filter(is_active=True)


class Site(models.Model):
    origin = models.CharField(
        _("origin"), max_length=200, unique=True,
        help_text=_("Scheme, host and port, no path: https://blog.example.com"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Articles made for its pages are written by this member (else the site's own account).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="embed_sites", verbose_name=_("author of its articles"),
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("embedding site")
        verbose_name_plural = _("embedding sites")

    def __str__(self):
        return self.name or self.origin

    def clean(self):
        origin = origin_of(self.origin)
        if not origin:
            raise ValidationError({"origin": _("Give an origin like https://blog.example.com.")})
        self.origin = origin


class EmbeddedPageQuerySet(models.QuerySet):
    def for_counts(self, site, urls):
        """(url, approved comment count) of these pages of ``site``, in one query."""
        return self.filter(site=site, url__in=urls).values_list("url", "article__comment_count")


class EmbeddedPage(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="pages")
    url = models.URLField(_("canonical address"), max_length=500)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="embedded_pages")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Frames shown (not unique readers: nothing here tracks anyone), for the admin's list.
    views = models.PositiveBigIntegerField(default=0, editable=False)

    objects = EmbeddedPageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("embedded page")
        verbose_name_plural = _("embedded pages")
        constraints = [
            models.UniqueConstraint(fields=["site", "url"], name="embedded_page_once_per_site")
        ]

    def __str__(self):
        return self.url


class SignInQuerySet(models.QuerySet):
    def current(self, seconds):
        """Sign-ins made less than ``seconds`` ago."""
        return self.filter(created_at__gte=timezone.now() - timedelta(seconds=seconds))


class SignIn(models.Model):
    """A member's way into one frame's own session (#30). A frame, whose cookies are its host
    site's alone, cannot see the member's session on forum: it asks for a SignIn, the member
    says yes in a popup on forum's own origin (signed in there as usual), and the frame trades
    the SignIn, once, for a session in its own jar (``embed.signins``)."""

    class Status(models.TextChoices):
        WAITING = "waiting"
        APPROVED = "approved"
        CANCELLED = "cancelled"
        USED = "used"

    token = models.CharField(max_length=32, unique=True)  # the popup's address holds it
    # SHA-256 of the secret that the frame's script alone holds: the token alone trades nothing.
    secret_hash = models.CharField(max_length=64)
    page = models.ForeignKey(EmbeddedPage, on_delete=models.CASCADE, related_name="sign_ins")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = SignInQuerySet.as_manager()

    def __str__(self):
        return f"{self.page} ({self.status})"
