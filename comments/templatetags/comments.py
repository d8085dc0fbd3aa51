"""``{% discussion article %}``: the discussion under an article, built by comments.discussion.

``{% discussion article root=comment %}`` shows one comment's thread instead. A view that built
the discussion itself (a failed post, with its bound form) passes it as ``discussion`` in the
template's context, and the tag shows that one.
"""

from django import template
from django.utils.safestring import mark_safe

from articles import pages
from comments import discussion as discussions
from comments import services

register = template.Library()
TEMPLATE = "comments/_discussion.html"


@register.simple_tag(takes_context=True)
def discussion(context, article, root=None):
    request = context["request"]
    built = context.get("discussion")

    def make(csrf_token):
        shown = built or discussions.build(request, article, root=root)
        values = {
            "discussion": shown, "request": request, "user": request.user,
            "csrf_token": csrf_token,
        }  # fmt: skip
        return context.template.engine.get_template(TEMPLATE).render(context.new(values))

    if built is not None or root is not None:
        return mark_safe(make(context.get("csrf_token")))
    # A member's own discussion, kept for their next look at the page (articles.pages, #29).
    key_of = lambda: discussions.reader_key(request, article)  # noqa: E731
    return mark_safe(pages.for_reader(key_of, make, context.get("csrf_token")))


@register.filter
def display_name(user):
    """``{{ user|display_name }}``: the one name a member goes by (#24)."""
    return services.display_name(user)
