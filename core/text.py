"""What people type into one-line fields (#18): one rule for names, email addresses, websites,
display names and searches, written once and used by every form that has such a field.

``single_line()`` applies NFC, folds line and paragraph separators (and every other run of white
space) into one space, and trims. ``invisible()`` then finds what a one-line field refuses:
control characters (Unicode category Cc) and format characters (Cf) — direction overrides,
embeddings and isolates, the marks LRM/RLM/ALM, zero-width spaces, word joiners, the byte-order
mark, soft hyphens, tag characters. They are invisible, and the direction ones make a page show
text in another order than it was written (``https://example.org/‮fdp.exe`` reads as ending in
".pdf"). A refusal names the character, beside the field, and the form keeps what was typed.

The one exception: names (commenter names, display names) and searches keep the zero-width
joiner (U+200D) and non-joiner (U+200C), ``JOINERS``. The joiner builds emoji sequences such as
👩‍💻 and some Indic conjuncts, the non-joiner spells Persian and Indic words right, and neither can
reorder or hide text. Email addresses and websites keep none: no address needs one.

``web_address()`` holds websites to more: http or https only, no user name before the host, and
no space, control or format character in the address as typed or once percent-decoded (so
``%E2%80%AE`` is refused like U+202E itself).
"""

import unicodedata
from urllib.parse import unquote, urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

NAME_LENGTH = 100  # a commenter's or a member's name, as a comment stores it
JOINERS = frozenset("\u200c\u200d")
REFUSED = ("Cc", "Cf")
NONCHARACTERS = frozenset("\ufffe\uffff")
PERCENT_DECODING_ROUNDS = 3  # %25E2%2580%25AE is %E2%80%AE once decoded, then U+202E


def single_line(value):
    """``value`` in NFC, every run of white space (line breaks included) one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def invisible(text, allowed=frozenset()):
    """The characters of ``text`` a one-line field refuses, in order, each once."""
    found = [ch for ch in text if is_refused(ch) and ch not in allowed]
    return list(dict.fromkeys(found))


def is_refused(ch):
    """Cc, Cf, and the two noncharacters XML cannot carry (a feed would break, #6)."""
    return unicodedata.category(ch) in REFUSED or ch in NONCHARACTERS


def describe(ch):
    """U+202E (RIGHT-TO-LEFT OVERRIDE): how a refusal names a character."""
    name = unicodedata.name(
        ch, gettext("a control character") if ch < "\xa0" else gettext("a noncharacter")
    )
    return f"U+{ord(ch):04X} ({name})"


def refuse_invisible(text, allowed=frozenset()):
    found = invisible(text, allowed)
    if found:
        if len(found) > 1:
            message = ngettext(
                "Remove the invisible character %(char)s and %(more)d more from this field: it "
                "could hide or reorder what readers see.",
                "Remove the invisible character %(char)s and %(more)d more from this field: it "
                "could hide or reorder what readers see.",
                len(found) - 1,
            )
        else:
            message = gettext(
                "Remove the invisible character %(char)s from this field: it could hide or "
                "reorder what readers see."
            )
        raise ValidationError(
            message % {"char": describe(found[0]), "more": len(found) - 1}, code="invisible"
        )


def reject_control_characters(value):
    """The rule for text of several lines (a comment, a bio): control characters and the two
    noncharacters are refused; tabs and line breaks are fine, and Django reports NUL itself."""
    if any(
        (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x00") or ch in NONCHARACTERS
        for ch in value
    ):
        raise ValidationError(_("Remove the control characters from this text."), code="control")


def refuse_invisible_in_lines(text):
    """The one-line rule for a short text of several lines (a report's note to moderators):
    line breaks and tabs stay, and so do the joiners."""
    refuse_invisible(text, JOINERS | set("\t\n\r"))


def fixed(text, allowed=frozenset()):
    """``text`` as a one-line field would take it, the characters it refuses taken out: for
    rows stored before the rule (``manage.py check_text --fix``) and imported ones."""
    text = single_line(text)  # line breaks become spaces before the rest is taken out
    refused = set(invisible(text, allowed))
    return single_line("".join(ch for ch in text if ch not in refused))


def fixed_name(text):
    """A name as ``fixed``, joiners kept; "" when nothing visible is left."""
    name = fixed(text, JOINERS)
    return name if has_visible(name) else ""


def has_visible(text):
    """Whether ``text`` has a letter, digit, punctuation or symbol: something a reader sees."""
    return any(unicodedata.category(ch)[0] in "LNPS" for ch in text)


def shown(text):
    """``text`` with every character a one-line field refuses written out as ⟦U+202E⟧, so that
    moderators see stored values as they are, never reordered or hidden (the admin)."""
    return "".join(f"⟦U+{ord(ch):04X}⟧" if is_refused(ch) else ch for ch in text)


def web_address(url):
    """Refuse a website readers should not follow; return it as it is otherwise."""
    refuse_hidden(url)
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValidationError(_("Enter a web address starting with http:// or https://."))
    if "@" in urlsplit(url).netloc:  # https://trusted.example@evil.example/ misleads readers
        raise ValidationError(_("Enter a web address without a user name or password in it."))
    return url


def refuse_hidden(url):
    """Refuse a space, control or format character in ``url``, as typed or percent-decoded."""
    decoded = url
    for _round in range(PERCENT_DECODING_ROUNDS):
        decoded, before = unquote(decoded), decoded
        if decoded == before:
            break
    for text, decoding in ((url, False), (decoded, True)):
        for ch in text:
            if ch.isspace() or is_refused(ch):
                found = gettext("a space") if ch == " " else describe(ch)
                message = (
                    _("Enter a web address without spaces or invisible characters: it holds "
                      "%(found)s once its %%-escapes are decoded.")
                    if decoding
                    else _("Enter a web address without spaces or invisible characters: it "
                           "holds %(found)s.")
                )  # fmt: skip
                raise ValidationError(message % {"found": found}, code="invisible")


class SingleLineField(forms.CharField):
    """A one-line text field: ``single_line()``, then ``refuse_invisible()``."""

    def __init__(self, *, allowed=frozenset(), **kwargs):
        self.allowed = allowed
        super().__init__(**kwargs)

    def to_python(self, value):
        return single_line(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        refuse_invisible(value, self.allowed)


class NameField(SingleLineField):
    """A name readers see beside comments: joiners allowed, and something visible required."""

    def __init__(self, **kwargs):
        super().__init__(allowed=JOINERS, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not has_visible(value):
            raise ValidationError(_("Enter a name with at least one visible letter or sign."))


class EmailAddressField(forms.EmailField):
    """An email address: the one-line rule before Django's own check of the address."""

    def to_python(self, value):
        return single_line(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        refuse_invisible(value)


class WebAddressInput(forms.TextInput):
    """A text box for a website. Not type="url": browsers refuse "example.com/sam" there
    before the form is even sent, while the field takes it as https://example.com/sam (#24)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "url", "autocomplete": "url", "spellcheck": "false",
                          **(attrs or {})})  # fmt: skip


class WebAddressField(forms.URLField):
    """A website: ``web_address()``, its hidden characters checked on the text as typed,
    before Django's own check (which would only say "Enter a valid URL"). Without a scheme,
    https:// is assumed: "example.com/sam" is https://example.com/sam."""

    widget = WebAddressInput

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("error_messages", {
            "invalid": "Enter a web address starting with http:// or https://."})  # fmt: skip
        super().__init__(**kwargs)

    def to_python(self, value):
        value = unicodedata.normalize("NFC", value or "").strip()
        refuse_hidden(value)
        return super().to_python(value)

    def clean(self, value):
        return web_address(super().clean(value))


def display_name(user):
    """The one name a member goes by (#24): their display name, or their username without one;
    the header, their profile, their comments, mail and feeds all show it."""
    return (user.get_full_name() or user.get_username())[:NAME_LENGTH]
