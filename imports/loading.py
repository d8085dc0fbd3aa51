"""Writing imported records into articles and comments (issue #14).

One transaction per article: its new threads are numbered here, in Python, and inserted in bulk
(one INSERT per reply level), replies to comments already stored are numbered into their threads
under the thread lock, counts and the cache version are recomputed, and the article's trees are
checked before the commit. Rows remember their source and id there, so importing the same file
again changes nothing, and a newer export only updates statuses and adds what is new.
"""

import ipaddress
from collections import defaultdict
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from comments.models import Comment
from comments.services import lock_thread, moderation, recount
from comments.trees import renumber, thread_of, tree_errors
from core import text
from core.markup import article_html
from imports.terms import Terms
from imports.xml import BadExport
from redirects import services as redirects

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@+-_")


class Loader:
    """Writes what one export holds. ``source``: "wordpress:<site URL>" or "disqus:<forum>"."""

    def __init__(self, source, *, report, dry_run=False, pings=True, authors=None):
        self.source, self.report, self.dry_run, self.pings = source, report, dry_run, pings
        # An export of this very site finds its own rows by id (export_wordpress, then import).
        self.own_site = source == f"wordpress:{settings.SITE_URL.rstrip('/')}"
        # Authors, kept across the files of one import (WordPress.com splits big exports).
        self.authors = {} if authors is None else authors  # login: Author record
        self.author_ids = {a.source_id: a.login for a in self.authors.values() if a.source_id}
        self.author_emails = {a.email.lower(): a.login for a in self.authors.values() if a.email}
        self.terms = Terms(source, report=report, dry_run=dry_run)
        self.site_host = urlsplit(source.partition(":")[2]).netloc.lower()
        self.users_seen = set()

    def add_author(self, author):
        if author.login:
            self.authors[author.login] = author
            if author.source_id:
                self.author_ids[author.source_id] = author.login
            if author.email:
                self.author_emails.setdefault(author.email.lower(), author.login)

    # Articles.

    def load_article(self, post, remarks):
        """Create or update the article of ``post`` and add its comments, in one transaction.
        If the database refuses any of it, none of it is written and the report says why."""
        try:
            return self.write_article(post, remarks)
        except (DatabaseError, BadExport) as error:
            self.report.failed += 1
            self.report.note(f"“{post.title}” (id {post.source_id}) was not imported: {error}")
            return None

    def write_article(self, post, remarks):
        with transaction.atomic():
            article = self.find(Article.objects.all(), post.source_id)
            values = {
                "title": (post.title or "(no title)")[:200],
                "status": post.status,
                "published_at": post.published_at if post.status == "published" else None,
                "comments_open": post.comments_open,
            }
            if article is None:
                article = Article(
                    **values, body=post.body, markup="html", author=self.user(post.author_login),
                    source=self.source, source_id=post.source_id, source_url=post.link[:500],
                    created_at=post.published_at or timezone.now(),
                )  # fmt: skip
                article.slug = article.unique_slug(unquote(post.slug))  # WordPress %-encodes
                article.save()
                self.keep_date(article, post.updated_at or post.published_at)
                self.report.articles["created"] += 1
            else:
                changed = [
                    name for name, value in values.items() if getattr(article, name) != value
                ]
                if article_html(post.body, "html") != article.body_html:
                    article.body, article.markup = post.body, "html"
                    changed += ["body", "markup"]
                for name in changed:
                    setattr(article, name, values.get(name, getattr(article, name)))
                if changed:
                    article.save()
                    self.keep_date(article, post.updated_at)
                self.report.articles["updated" if changed else "unchanged"] += 1
            categories, tags = self.terms.of_post(post)
            article.categories.add(*categories)
            article.tags.add(*tags)
            self.remember_post(article, post)
            self.add_comments(article, remarks)
            if self.dry_run:
                transaction.set_rollback(True)
        return article

    def remember_post(self, article, post):
        """The post's old addresses (#28): ``/?p=<id>``, which WordPress answers for every post,
        and the paths of its <link> and <guid> on the old site."""
        keys = {redirects.key_of("/", {"p": post.source_id})}
        for url in (post.link, post.guid):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc.lower() == self.site_host:
                keys.add(redirects.key_of_url(url))
        # Never the front page: a post whose <guid> is the site's own address names none.
        self.remember(keys - {"/", redirects.key_of(article.get_absolute_url())}, article)

    def remember(self, keys, target):
        for key in sorted(keys):
            if redirects.ours(key):
                self.report.note(f"the old address {key} is one of this site's own; it shows "
                                 f"that page, not “{target}”")  # fmt: skip
        kept = [(key, target) for key in keys if not redirects.ours(key)]
        self.report.addresses += redirects.remember(kept, source=self.source)

    def keep_date(self, article, updated_at):
        """The article was last changed when the old site says, not when it was imported: its
        feed entry's <updated> and the sitemap say so (#24). Never in the future."""
        if updated_at is not None:
            article.updated_at = min(updated_at, article.updated_at)
            Article.objects.filter(pk=article.pk).update(updated_at=article.updated_at)

    def find(self, queryset, source_id):
        found = queryset.filter(source=self.source, source_id=source_id).first()
        if found is None and self.own_site and source_id.isdecimal():
            found = queryset.filter(source="", pk=int(source_id)).first()
        return found

    def user(self, login):
        """The account of an author login, created without a usable password when missing."""
        login = login or "imported"
        username = "".join(ch if ch in USERNAME_CHARS else "-" for ch in login)[:150]
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        author = self.authors.get(login)
        name = text.fixed_name(author.display_name)[:150] if author else ""
        if user is None:
            user = User(username=username, email=(author.email if author else "")[:254],
                        first_name=name)  # fmt: skip
            user.set_unusable_password()
            user.save()
        elif name and not user.get_full_name() and not user.has_usable_password():
            user.first_name = name  # imported before without a display name (#28)
            user.save(update_fields=["first_name"])
        if login not in self.users_seen and author is not None:
            self.users_seen.add(login)
            self.remember_author(user, author)
        return user

    def remember_author(self, user, author):
        """An author's old addresses: /author/<their WordPress slug>/ and /?author=<id>."""
        keys = {redirects.key_of(f"/author/{name}/")
                for name in (author.login, slugify(author.login)) if name}  # fmt: skip
        if author.source_id.isdecimal():
            keys.add(redirects.key_of("/", {"author": author.source_id}))
        here = redirects.key_of(redirects.address_of(user))
        self.remember(keys - {here}, user)

    def load_comments(self, article, remarks):
        """Add comments to an article of this site (a Disqus thread's), in one transaction."""
        try:
            with transaction.atomic():
                Article.objects.select_for_update().get(pk=article.pk)
                self.add_comments(article, remarks)
                if self.dry_run:
                    transaction.set_rollback(True)
        except (DatabaseError, BadExport) as error:
            self.report.failed += 1
            self.report.note(f"the comments of “{article.title}” were not imported: {error}")

    # Comments.

    def add_comments(self, article, remarks):
        """Update the statuses of comments stored before and insert the new ones."""
        if not self.pings:
            pings = [r for r in remarks if r.kind != "comment"]
            if pings:
                self.report.skipped["pingbacks and trackbacks (--no-pings)"] += len(pings)
            remarks = [r for r in remarks if r.kind == "comment"]
        remarks = self.once(article, remarks)
        stored = self.stored_comments(article, [r.source_id for r in remarks])
        changed = self.update_statuses(stored, remarks)
        new = [r for r in remarks if r.source_id not in stored]
        if new:
            self.insert(article, new, stored)
        if new or changed:
            recount(article)
            errors = tree_errors(Comment.objects.filter(article=article))
            if errors:  # never expected: refuse rather than store a broken thread
                raise BadExport(f"Importing “{article.title}” would break its threads: "
                                f"{errors[0]}. Nothing of it was imported.")  # fmt: skip

    def once(self, article, remarks):
        """Each comment once: a broken export may list one twice, or under two posts."""
        seen, kept = set(), []
        for remark in remarks:
            if remark.source_id not in seen:
                seen.add(remark.source_id)
                kept.append(remark)
        elsewhere = set(
            Comment.objects.filter(source=self.source, source_id__in=seen)
            .exclude(article=article)
            .values_list("source_id", flat=True)
        )
        for source_id in sorted(elsewhere):
            self.report.note(f"comment {source_id} is under another post too; kept there")
        if len(kept) < len(remarks):
            self.report.note(f"“{article.title}”: {len(remarks) - len(kept)} comments are "
                             "listed twice; imported once")  # fmt: skip
        return [r for r in kept if r.source_id not in elsewhere]

    def stored_comments(self, article, ids):
        """{source id: Comment} of those already imported (or, for this site's own export,
        written here)."""
        query = Q(source=self.source, source_id__in=ids)
        if self.own_site:
            query |= Q(source="", pk__in=[int(i) for i in ids if i.isdecimal()])
        found = Comment.objects.filter(query, article=article).only(
            "pk", "status", "tree_id", "level", "source", "source_id"
        )
        return {c.source_id if c.source else str(c.pk): c for c in found}

    def update_statuses(self, stored, remarks):
        """A newer export's statuses win; each change is in the moderation log. Whether any
        changed."""
        changes = defaultdict(list)
        for remark in remarks:
            comment = stored.get(remark.source_id)
            if comment is None:
                continue
            if comment.status == remark.status:
                self.report.comments["unchanged"] += 1
            else:
                changes[remark.status].append(comment)
                self.report.comments["status changed"] += 1
        for status, comments in changes.items():
            moderation.set_status(
                Comment.objects.filter(pk__in=[c.pk for c in comments]), status,
                reason="status in the imported export", announce=False,
            )  # fmt: skip
        return bool(changes)

    def insert(self, article, new, stored):
        """Insert ``new`` comments: threads numbered here, replies to stored comments numbered
        into their threads afterwards."""
        order = sorted(new, key=lambda r: (r.created_at, r.source_id.zfill(20)))
        by_id = {r.source_id: r for r in order}
        children = defaultdict(list)
        roots = []
        for remark in order:
            parent = remark.parent_id
            if parent and (parent in by_id or parent in stored) and parent != remark.source_id:
                children[parent].append(remark)
            else:
                if parent:
                    self.report.note(
                        f"comment {remark.source_id} on “{article.title}”: its parent "
                        f"{parent} is not in the export; made top-level"
                    )
                roots.append(remark)
        placed = {}  # source id: (tree_id, lft, rght, level) of the new comments
        regrown = set()  # tree_ids of stored threads that get new replies
        for parent in (p for p in stored if children[p]):
            base = stored[parent]
            regrown.add(base.tree_id)
            self.place(children, parent, base.tree_id, base.level + 1, None, placed)
        for root in roots:
            self.place_thread(children, root, placed)
        while len(placed) < len(order):  # replies in a loop of parents: break it, say so
            loose = next(r for r in order if r.source_id not in placed)
            self.report.note(f"comment {loose.source_id} on “{article.title}”: its parents "
                             "form a loop; made top-level")  # fmt: skip
            children[loose.parent_id].remove(loose)
            loose.parent_id = ""
            self.place_thread(children, loose, placed)
        self.write(article, order, placed, stored)
        for tree_id in sorted(regrown):
            lock_thread(tree_id)
            root = Comment.objects.get(tree_id=tree_id, parent=None)
            changed = renumber(root, thread_of(root), tree_id)
            Comment.objects.bulk_update(changed, ["tree_id", "lft", "rght", "level"], 1000)

    def place_thread(self, children, root, placed):
        tree_id = Comment.objects._get_next_tree_id()  # the sequence: no lock, no collision
        self.place(children, None, tree_id, 0, root, placed)

    def place(self, children, parent_id, tree_id, level, root, placed):
        """Number ``root`` (or the new replies of ``parent_id``) and everything below, depth
        first, without recursion: threads can be deeper than Python's stack."""
        counter = 1
        stack = [(root, level, False)] if root else [
            (child, level, False) for child in reversed(children[parent_id])
        ]  # fmt: skip
        while stack:
            remark, depth, done = stack.pop()
            if done:
                tree, lft, _, lvl = placed[remark.source_id]
                placed[remark.source_id] = (tree, lft, counter if root else 0, lvl)
            else:
                placed[remark.source_id] = (tree_id, counter if root else 0, 0, depth)
                stack.append((remark, depth, True))
                stack.extend((c, depth + 1, False) for c in reversed(children[remark.source_id]))
            counter += 1

    def write(self, article, order, placed, stored):
        """Insert the new comments level by level, so each reply knows its parent's id."""
        pks = {source_id: c.pk for source_id, c in stored.items()}
        users = {}
        by_level = defaultdict(list)
        for remark in order:
            by_level[placed[remark.source_id][3]].append(remark)
        for level in sorted(by_level):
            rows = []
            for remark in by_level[level]:
                tree_id, lft, rght, lvl = placed[remark.source_id]
                comment = self.comment_of(article, remark, users)
                comment.parent_id = pks.get(remark.parent_id) if remark.parent_id else None
                comment.tree_id, comment.lft, comment.rght, comment.level = tree_id, lft, rght, lvl
                rows.append(comment)
                self.report.comments[f"new {remark.status}"] += 1
                if remark.kind != "comment":
                    self.report.comments[f"  of them {remark.kind}s"] += 1
            with Comment.objects.disable_mptt_updates():
                Comment.objects.bulk_create(rows, batch_size=1000)
            pks.update((row.source_id, row.pk) for row in rows)

    def account_of(self, article, remark):
        """The login of the account that wrote ``remark``, if one did: by the old site's user
        id, or, when the export lists no author ids (WordPress.com's do not), by the address of
        an author of the export or of the post's author: their "Author" badge shows (#24)."""
        if not remark.user_ref:
            return None
        login = self.author_ids.get(remark.user_ref)
        email = remark.author_email.strip().lower()
        if login or not email:
            return login
        if email == article.author.email.lower():
            return article.author.get_username()
        return self.author_emails.get(email)

    def comment_of(self, article, remark, users):
        login = self.account_of(article, remark)
        if login and login not in users:
            users[login] = self.user(login)
        comment = Comment(
            article=article, user=users.get(login), kind=remark.kind, markup="html",
            author_name=(text.fixed_name(remark.author_name) or "Anonymous")[:100],
            author_email=text.fixed(remark.author_email).lower()[:254],
            author_url=followable(remark.author_url), ip_address=ip_or_none(remark.ip_address),
            body=remark.body, status=remark.status,
            created_at=remark.created_at, source=self.source, source_id=remark.source_id,
            shown_at=remark.created_at if remark.status == "approved" else None,
        )  # fmt: skip
        comment.render()
        return comment


def followable(url):
    """A commenter's website if the comment form would take it (``core.text.web_address``),
    else "": an old site's ``javascript:`` link or spoofed address is not kept (#18)."""
    url = url.strip()
    try:
        return text.web_address(url) if len(url) <= 200 else ""
    except ValidationError:
        return ""


def ip_or_none(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
