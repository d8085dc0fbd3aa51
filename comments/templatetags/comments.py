"""``{% discussion article %}``: the discussion under an article, built by comments.discussion.

``{% discussion article root=comment %}`` shows one comment's thread instead. A view that built
the discussion itself (a failed post, with its bound form) passes it as ``discussion`` in the
template's context, and the tag shows that one.
"""

from django import template

from comments import discussion as discussions
from comments import services

register = template.Library()


@register.inclusion_tag("comments/_discussion.html", takes_context=True)
def discussion(context, article, root=None):
    request = context["request"]
    built = context.get("discussion") or discussions.build(request, article, root=root)
    return {
        "discussion": built,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def display_name(user):
    """``{{ user|display_name }}``: the one name a member goes by (#24)."""
    return services.display_name(user)
