from django.apps import AppConfig


class ForumConfig(AppConfig):
    """The project: its `demo` command, and the migrations that once held `Article` (#11)."""

    name = "forum"
    verbose_name = "Forum"
