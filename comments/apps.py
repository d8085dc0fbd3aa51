from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        # avatars sits below comments: it calls what comments registers there (#28).
        from avatars import services as avatars
        from comments.services.personal import follow_member_pictures

        if follow_member_pictures not in avatars.changed:
            avatars.changed.append(follow_member_pictures)
