from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from avatars import images, services
from avatars.models import Avatar

ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


class AvatarForm(forms.Form):
    """A member's picture on their profile page: upload one, take it down, or use their
    Gravatar. An upload shows once staff approve it; until then, the letter avatar."""

    picture = forms.FileField(
        required=False, label=_("Picture"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("JPEG, PNG, GIF or WebP, up to 5 MB. Shown beside your comments once a "
                    "moderator approves it."),
    )  # fmt: skip
    remove = forms.BooleanField(required=False, label=_("Remove my picture"))
    gravatar = forms.BooleanField(
        required=False, label=_("Use my Gravatar"),
        help_text=_("The site fetches it once a week and shows its own copy: readers' browsers "
                    "never ask Gravatar."),
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["gravatar"].initial = services.uses_gravatar(user)
        self.upload = Avatar.objects.filter(user=user, kind=Avatar.Kind.UPLOAD).first()

    def clean_picture(self):
        picture = self.cleaned_data["picture"]
        if picture is None:
            return None
        if picture.size > images.MAX_BYTES:
            raise ValidationError(images.TOO_BIG, code="too_big")
        return images.reencode(picture.read())  # refused here, with its message beside it

    def save(self):
        if self.cleaned_data["picture"] is not None:
            services.upload(self.user, self.cleaned_data["picture"])
        elif self.cleaned_data["remove"]:
            services.remove_upload(self.user)
        services.set_gravatar(self.user, self.cleaned_data["gravatar"])
