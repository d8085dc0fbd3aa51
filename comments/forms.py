import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from articles import pages
from comments.models import Comment, Report
from core.text import (
    EmailAddressField,
    NameField,
    WebAddressField,
    refuse_invisible_in_lines,
    reject_control_characters,
)

SHOWN_AT = "comments.form-shown-at"
REMEMBER_LABEL = _("Save my name, email, and website in this browser for the next time I comment.")


def stamp_now():
    """The form's signed "shown at" time (the bot trap's clock)."""
    return signing.TimestampSigner(salt=SHOWN_AT).sign(str(time.time()))


# Under every comment box (issue #24): what the renderer (core.markup.comment_html) takes.
MARKDOWN_HINT = _(
    "You can use Markdown: *italics*, **bold**, [a link](https://example.com), `code`, "
    "> a quote, and lists starting with - or 1."
)


class CommentForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Comment.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("The comment you are replying to is not available.")},
    )
    author_url = WebAddressField(label=_("Website"), required=False, max_length=200)
    remember = forms.BooleanField(required=False, label=REMEMBER_LABEL)
    # Mail the writer may ask for (#13); a guest's address is confirmed by one mail first.
    email_replies = forms.BooleanField(required=False, label=_("Email me replies to this comment"))
    email_new_comments = forms.BooleanField(
        required=False, label=_("Email me new comments on this article")
    )
    email_published = forms.BooleanField(
        required=False, label=_("If my comment is held for review, email me when it is published")
    )
    # Bot traps (issue #6): a field people never see, and when the form was shown, signed.
    homepage = forms.CharField(required=False, label=_("Leave this field empty"))
    shown_at = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Comment
        # Not "parent": its field's own queryset finds it, and the model need not look again.
        fields = ["body", "author_name", "author_email", "author_url"]
        field_classes = {"author_name": NameField, "author_email": EmailAddressField}
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "dir": "auto"})}
        help_texts = {"body": MARKDOWN_HINT}
        labels = {"body": _("Comment"), "author_name": _("Name"), "author_email": _("Email")}

    def __init__(self, *args, article, user, own=(), **kwargs):
        """``own``: ids of the reader's pending comments on ``article``, which they may answer
        too; or a function giving them, called only for a reply (#29: a post reads no more)."""
        super().__init__(*args, **kwargs)
        if callable(own):
            own = own() if self.is_bound and self.data.get("parent") else ()
        self.fields["parent"].queryset = Comment.objects.shown_to(article, own=own)
        self.fields["body"].validators.append(MaxLengthValidator(settings.COMMENTS_BODY_MAX_LENGTH))
        self.fields["body"].widget.attrs["data-max-length"] = settings.COMMENTS_BODY_MAX_LENGTH
        self.fields["homepage"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:  # filled in fresh even on a page kept for every reader (#17)
            self.initial["shown_at"] = pages.part("shown_at", stamp_now)
        if user.is_authenticated:
            for name in ("author_name", "author_email", "author_url", "remember"):
                del self.fields[name]
        self.fields["body"].validators.append(reject_control_characters)

    def seconds_to_write(self):
        """Seconds since the form was shown, or -1 when its timestamp is missing or forged."""
        try:
            shown = float(
                signing.TimestampSigner(salt=SHOWN_AT).unsign(self.data.get("shown_at", ""))
            )
        except (signing.BadSignature, ValueError):
            return -1
        return max(0.0, time.time() - shown)

    def wanted_mail(self):
        """What the writer ticked, as ``post_comment`` takes it."""
        boxes = {"replies": "email_replies", "article": "email_new_comments",
                 "published": "email_published"}  # fmt: skip
        return {kind for kind, field in boxes.items() if self.cleaned_data.get(field)}


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices, widget=forms.RadioSelect, label=_("What is wrong with it?")
    )
    text = forms.CharField(
        label=_("Anything a moderator should know? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_characters, refuse_invisible_in_lines],
    )


class EditForm(forms.Form):
    """A writer's new text for their comment (#12): the same limits as when it was posted."""

    body = forms.CharField(
        label=_("Comment"), help_text=MARKDOWN_HINT,
        widget=forms.Textarea(
            attrs={"rows": 8, "dir": "auto", "data-max-length": settings.COMMENTS_BODY_MAX_LENGTH}
        ),
        validators=[MaxLengthValidator(settings.COMMENTS_BODY_MAX_LENGTH),
                    reject_control_characters],
    )  # fmt: skip


class PreviewForm(forms.Form):
    body = forms.CharField(
        max_length=settings.COMMENTS_BODY_MAX_LENGTH, validators=[reject_control_characters]
    )
