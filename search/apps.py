from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from search.services import configure_after_migrate

        post_migrate.connect(configure_after_migrate, sender=self)
