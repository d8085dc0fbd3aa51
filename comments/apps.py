from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from avatars import services as avatars
        from comments.services.personal import follow_member_pictures
        from notifications.models import Preferences

        # avatars sits below comments: it calls what comments registers there (#28).
        if follow_member_pictures not in avatars.changed:
            avatars.changed.append(follow_member_pictures)
        # A worker remembers a member's form default for a second; the one that saved forgets.
        for signal in (post_save, post_delete):
            signal.connect(forget_preferences, sender=Preferences, dispatch_uid="comments")


def forget_preferences(sender, instance, **kwargs):
    from comments.readers import preferences_saved

    preferences_saved(instance.user_id)
