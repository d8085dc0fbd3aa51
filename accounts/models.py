"""A member's public profile (issue #12). The account itself is Django's user, managed by
django-allauth; the name shown beside a member's comments is the user's full name."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.markup import comment_html


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
        related_name="profile",
    )  # fmt: skip
    website = models.URLField(_("website"), max_length=200, blank=True)
    bio = models.TextField(
        _("bio"), max_length=1000, blank=True,
        help_text=_("A few words about you. Markdown, as in comments."),
    )  # fmt: skip
    # The language of the site's mail to the member (#27); empty: the site's default.
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES,
        help_text=_("The language of the mail we send you."),
    )  # fmt: skip
    bio_html = models.TextField(editable=False, blank=True)

    def __str__(self):
        return f"Profile of {self.user}"

    def save(self, *args, **kwargs):
        self.bio_html = comment_html(self.bio)  # sanitised once, like a comment
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accounts:profile", args=[self.user.get_username()])

    @classmethod
    def of(cls, user):
        """The member's profile; an empty, unsaved one until they first edit it."""
        try:
            return user.profile
        except cls.DoesNotExist:
            return cls(user=user)


class Session(AbstractBaseSession):
    """Django's session, with the member it signs in: read joined to it (``accounts.sessions``).
    Deleting the member deletes their sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+",
        db_constraint=False,  # a member deleted while their session is saved is no error
    )  # fmt: skip

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore
