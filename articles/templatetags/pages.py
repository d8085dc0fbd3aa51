"""``{% personal %}…{% endpersonal %}``: a part of a page that is each reader's own (#29).

It renders as if the tag were not there, except in the shell of a page kept for readers with a
session (``articles.pages``), where it leaves a marker that each serve fills for its reader.
Wrap in it whatever shows who reads: their name and links, their messages, their discussion.
"""

from django import template

from articles import pages

register = template.Library()


class PersonalNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return pages.personal_block(self.nodelist, context)


@register.tag
def personal(parser, token):
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    return PersonalNode(nodelist)
