from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts to moderators"

    def ready(self):
        # comments never imports alerts: its services call what is registered in notifying (#26).
        from alerts import services
        from comments.services import notifying

        if services.event not in notifying.alert_listeners:
            notifying.alert_listeners.append(services.event)
