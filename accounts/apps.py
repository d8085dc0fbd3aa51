from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Reader profiles"

    def ready(self):
        # Mail to a member goes out in their language (#27): the notifications app, below this
        # one, asks the profile through this hook.
        from accounts.models import Profile
        from notifications import services

        services.member_languages.append(lambda user: Profile.of(user).language)
