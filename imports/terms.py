"""Writing an export's categories and tags (issue #28).

Every term the export lists is kept, those without posts too, with its slug as the old site had
it (so its old address names it), its parent and its description; a term a post names that the
list left out is made from the post. Names are the text WordPress shows, taken through the
one-line rule (``core.text.fixed_name``): markup, control and invisible characters never reach a
page. What cannot be kept as it was is changed and reported, never refused whole: a slug that
is one of our addresses' words (``feed``) or holds a "/", a category that is its own ancestor
(made top-level), one nested deeper than MAX_DEPTH. A term already here with the same slug is
the same term: importing again changes nothing.

Each category's and tag's old addresses (``/?cat=5``, and its old path when its slug changed)
go to the table of old addresses (``redirects``).
"""

from urllib.parse import unquote

from django.db import transaction
from django.utils.text import slugify

from core import text
from imports.wordpress import plain
from redirects import services as redirects
from taxonomy.models import MAX_DEPTH, PATH_LENGTH, RESERVED_SLUGS, SLUG_LENGTH, Category, Tag

NAME_LENGTH = 200


class Terms:
    """The categories and tags of one import, by their slugs on the old site."""

    def __init__(self, source, *, report, dry_run=False):
        self.source, self.report, self.dry_run = source, report, dry_run
        self.found = {"category": {}, "tag": {}}  # kind: {old slug: Category or Tag}
        self.old = {"category": {}, "tag": {}}  # kind: {old slug: Term}, for old addresses

    def load(self, terms):
        """Write the export's list of terms, in one transaction."""
        with transaction.atomic():
            self.write([t for t in terms if t.kind == "category"], "category")
            self.write([t for t in terms if t.kind == "tag"], "tag")
            if self.dry_run:
                transaction.set_rollback(True)

    def of_post(self, post):
        """(categories, tags) a post names, those missing from the export's list made now."""
        chosen = []
        for kind, named in (("category", post.categories), ("tag", post.tags)):
            missing = [t for t in named if t.slug not in self.found[kind]]
            if missing:
                self.write(missing, kind)
            rows = [self.found[kind][t.slug] for t in named if t.slug in self.found[kind]]
            chosen.append(list({row.pk: row for row in rows}.values()))
        return chosen

    # Writing.

    def write(self, terms, kind):
        model = Category if kind == "category" else Tag
        firsts = {}
        for term in terms:
            firsts.setdefault(term.slug, term)
        terms = list(firsts.values())
        self.old[kind].update(firsts)
        wanted = {t.slug: self.clean(t, kind) for t in terms}
        stored = {c.slug: c for c in model.objects.filter(slug__in=set(wanted.values()))}
        by_slug = {t.slug: t for t in terms}
        order = self.untangle(by_slug) if kind == "category" else [terms]
        rows = []
        for level in order:
            new = []
            for term in level:
                slug = wanted[term.slug]
                if slug in stored:
                    self.found[kind][term.slug] = stored[slug]
                    self.report.terms[f"{kind} already here"] += 1
                    continue
                row = self.row_of(term, slug, kind)
                if kind == "category":
                    self.place(row, term, stored, wanted)
                new.append(row)
                self.found[kind][term.slug] = stored[slug] = row
            model.objects.bulk_create(new, batch_size=1000)
            if new:
                self.report.terms[f"new {kind}"] += len(new)
            rows += [(t, self.found[kind][t.slug]) for t in level if t.slug in self.found[kind]]
        self.remember(rows, kind)

    def row_of(self, term, slug, kind):
        shown = plain(term.name)
        name = text.fixed_name(shown)[:NAME_LENGTH] or slug
        if name != shown or "<" in term.name:
            self.report.note(f"the {kind} “{slug}” is named “{name}”: its name held markup or "
                             "invisible characters")  # fmt: skip
        model = Category if kind == "category" else Tag
        return model(name=name, slug=slug, description=plain_lines(term.description))

    def place(self, row, term, stored, wanted):
        """Give a new category its parent and path."""
        parent = None
        if term.parent:
            parent = self.found["category"].get(term.parent) or stored.get(
                wanted.get(term.parent, unquote(term.parent))
            )
        if term.parent and parent is None:
            parent = Category.objects.filter(slug=unquote(term.parent)).first()
            if parent is None:
                self.report.note(f"the category “{row.slug}”: its parent “{term.parent}” is not "
                                 "in the export; made top-level")  # fmt: skip
        path = f"{parent.path}/{row.slug}" if parent else row.slug
        if parent is not None and (parent.path.count("/") + 1 >= MAX_DEPTH
                                   or len(path) > PATH_LENGTH):  # fmt: skip
            self.report.note(f"the category “{row.slug}” is nested deeper than {MAX_DEPTH} "
                             "levels; made top-level")  # fmt: skip
            parent, path = None, row.slug
        row.parent, row.path = parent, path

    def clean(self, term, kind):
        """The slug a term gets here: the old one, %-decoded as WordPress shows it, unless it
        cannot be an address of ours."""
        raw = unquote(term.slug)
        slug = text.fixed(raw).replace("/", "-").replace(" ", "-")[:SLUG_LENGTH].strip("-")
        if not slug:
            slug = slugify(plain(term.name), allow_unicode=True)[:SLUG_LENGTH] or kind
        if kind == "category" and slug in RESERVED_SLUGS:
            slug = f"{slug}-{kind}"
        if slug != raw:
            self.report.note(f"the {kind} slug “{text.shown(raw)[:80]}” became “{slug}”")
        return slug

    def untangle(self, by_slug):
        """The categories level by level, parents first; a loop of parents is broken where it
        closes, that category made top-level, and the report says so."""
        safe = set()  # slugs whose chain of parents is known to end
        for start in by_slug.values():
            chain, seen, term = [], set(), start
            while term is not None and term.slug not in safe:
                if term.slug in seen:
                    self.report.note(f"the category “{term.slug}” is its own ancestor; made "
                                     "top-level")  # fmt: skip
                    term.parent = ""
                    break
                chain.append(term)
                seen.add(term.slug)
                term = by_slug.get(term.parent) if term.parent else None
            safe.update(seen)
        depth = {}
        for start in by_slug.values():
            climbed, term = [], start
            while term.slug not in depth:
                parent = by_slug.get(term.parent) if term.parent else None
                if parent is None:
                    depth[term.slug] = 0
                    break
                climbed.append(term.slug)
                term = parent
            level = depth[term.slug]
            for slug in reversed(climbed):
                level += 1
                depth[slug] = level
        levels = {}
        for term in by_slug.values():
            levels.setdefault(depth[term.slug], []).append(term)
        return [levels[d] for d in sorted(levels)]

    def remember(self, rows, kind):
        """Old addresses of these terms: /?cat=<id>, and their old path where it differs."""
        keys = []
        for term, row in rows:
            if kind == "category" and term.source_id.isdecimal():
                keys.append((redirects.key_of("/", {"cat": term.source_id}), row))
            old = f"/{'category' if kind == 'category' else 'tag'}/{self.old_path(term, kind)}/"
            if redirects.key_of(old) != redirects.key_of(row.get_absolute_url()):
                keys.append((redirects.key_of(old), row))
        redirects.remember(keys, source=self.source)

    def old_path(self, term, kind):
        """The term's path of slugs on the old site, its parents' first."""
        if kind == "tag":
            return unquote(term.slug)
        parts, seen = [], set()
        while term is not None and term.slug not in seen:
            seen.add(term.slug)
            parts.append(unquote(term.slug))
            term = self.old["category"].get(term.parent) if term.parent else None
        return "/".join(reversed(parts))


def plain_lines(value):
    """A description as plain text: WordPress keeps HTML there."""
    return "\n".join(text.fixed(line) for line in plain(value).splitlines()).strip()
