"""schema.org JSON-LD for a page's <script type="application/ld+json"> (#15, #28): read by
search engines, never run. <, > and & are escaped inside the JSON strings, so no text in it can
close the script or open markup."""

import json

from django.utils.safestring import mark_safe

JSON_IN_HTML = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_text(data):
    """``data`` as the safe text of a JSON-LD script."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(JSON_IN_HTML))


def breadcrumbs(crumbs):
    """A BreadcrumbList of (name, absolute URL) pairs, from the top down."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(crumbs, start=1)
        ],
    }
