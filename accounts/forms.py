from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Profile
from core.text import NAME_LENGTH, NameField, WebAddressField, reject_control_characters
from notifications.models import Preferences


class ProfileForm(forms.ModelForm):
    """The member's own profile: the name shown beside their comments, a website and a bio."""

    display_name = NameField(
        max_length=NAME_LENGTH, label=_("Display name"),
        help_text=_("Shown beside your comments. Your username is used when this is empty."),
        required=False,
    )  # fmt: skip
    website = WebAddressField(label=_("Website"), required=False, max_length=200)

    class Meta:
        model = Profile
        fields = ["display_name", "website", "bio", "language"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].initial = self.instance.user.get_full_name()
        self.fields["bio"].validators.append(reject_control_characters)

    def save(self, commit=True):
        services.set_display_name(self.instance.user, self.cleaned_data["display_name"])
        return super().save(commit)


class MailPreferencesForm(forms.ModelForm):
    """What the site mails the member (#13); moderators see the held-comments choice."""

    class Meta:
        model = Preferences
        fields = ["replies_by_default", "article_comments", "held_comments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.user.is_staff:
            del self.fields["held_comments"]


class DeleteAccountForm(forms.Form):
    """Deleting an account asks for its password again, and what becomes of its comments."""

    KEEP, REMOVE = "keep", "remove"
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}
    ))  # fmt: skip
    comments = forms.ChoiceField(
        label=_("Your comments"),
        choices=[
            (KEEP, _("Keep them, shown as by “Deleted user” (your name, email, website and IP "
                     "address are erased)")),
            (REMOVE, _("Remove them (replies keep their place under “This comment was "
                       "removed.”)")),
        ],
        widget=forms.RadioSelect,
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError(_("That is not your password."))
        return self.cleaned_data["password"]


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, its first field named for what it takes (settings.ACCOUNT_FORMS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")
        self.fields["login"].widget.attrs["autocomplete"] = "username"
