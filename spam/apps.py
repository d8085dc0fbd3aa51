from django.apps import AppConfig


class SpamConfig(AppConfig):
    name = "spam"
    verbose_name = "Spam filter"

    def ready(self):
        # comments never imports spam: it calls what is registered in comments.hooks (#26).
        from comments import hooks
        from spam import services

        if services.score not in hooks.scorers:
            hooks.scorers.append(services.score)
            hooks.decided.append(services.decision_made)
