from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "embed"
    verbose_name = "Embedding"

    def ready(self):
        from embed import checks  # noqa: F401  (registers the check of EMBED_SITES)
