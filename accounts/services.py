"""What a member may do with their own data (issue #12, GDPR articles 15, 17 and 20)."""

from django.db import transaction

from accounts.models import Profile, Session
from avatars import services as avatars
from comments import services as comment_services
from comments.models import Comment


def member_data(user):
    """Everything the site keeps about a member, as plain data for a download."""
    profile = Profile.of(user)
    return {
        "account": {
            "username": user.get_username(),
            "display_name": user.get_full_name(),
            "email_addresses": list(user.emailaddress_set.values("email", "verified", "primary")),
            "joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": {"website": profile.website, "bio": profile.bio},
        "pictures": avatars.data_of(user),
        "comments": comment_services.comments_data(Comment.objects.filter(user=user)),
    }


def set_display_name(user, name):
    """The member's display name (empty: their username), which their comments follow (#24)."""
    with transaction.atomic():
        user.first_name, user.last_name = name, ""
        user.save(update_fields=["first_name", "last_name"])
        comment_services.follow_member_name(user)


def set_language(user, language):
    """The language of the site's mail to the member (#27), kept on their profile."""
    profile = Profile.of(user)
    if profile.language != language:
        profile.language = language
        profile.save()


def delete_account(user, *, keep_comments):
    """Delete the account, its email addresses, profile and sessions. Its comments stay under
    "Deleted user" (``keep_comments``) or are removed; either way nobody else's changes."""
    with transaction.atomic():
        comments = Comment.objects.filter(user=user)
        comment_services.erase_writer(comments, remove=not keep_comments)
        Session.objects.filter(user=user).delete()
        user.delete()  # allauth's email addresses and the profile go with it
