"""Reading a Disqus export (Admin → Community → Export; disqus.xsd), as a stream (issue #14).

Threads come first, then posts, which name their thread and parent by Disqus's internal id
(``dsq:id``) or, in some exports, by their own ``<id>``. Posts are written to a temporary table
as they are read, so that each article's posts can be taken together without holding the whole
file in memory.
"""

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.db import connection

from imports.records import Remark
from imports.xml import BadExport, split, stream, text

DSQ = "{http://disqus.com/disqus-internals}id"
STAGE = "imports_disqus_post"
COLUMNS = ["thread", "id", "parent", "created_at", "status", "name", "email", "ip", "message"]


@dataclass
class Thread:
    keys: tuple  # its dsq:id and its <id>: posts name it by either
    link: str
    title: str


def read(path):
    """("forum", shortname), ("thread", Thread) and ("post", dict), in file order."""
    depth, forum = 0, ""
    for event, element in stream(path):
        _, name = split(element.tag)
        if event == "start":
            depth += 1
            if depth == 1 and name != "disqus":
                raise BadExport(f"This is not a Disqus export: its root element is <{name}>.")
            continue
        depth -= 1
        if depth != 1:
            continue
        found = children(element)
        if not forum and found.get("forum"):
            forum = found["forum"].strip()
            yield "forum", forum
        if name == "thread":
            keys = tuple(k for k in (element.get(DSQ, ""), found.get("id", "").strip()) if k)
            yield "thread", Thread(keys, found.get("link", "").strip(), found.get("title", ""))
        elif name == "post":
            yield "post", post_of(element, found)
        element.clear()


def children(element):
    """{name: text} of the element's children, and {name@: dsq:id} of those with one."""
    found = {}
    for child in element:
        _, name = split(child.tag)
        found.setdefault(name, text(child))
        if child.get(DSQ):
            found.setdefault(f"{name}@", child.get(DSQ))
        if name == "author":
            for part in child:
                found.setdefault(f"author.{split(part.tag)[1]}", text(part))
    return found


def post_of(element, found):
    status = (
        "spam" if found.get("isSpam", "").strip() == "true"
        else "removed" if found.get("isDeleted", "").strip() == "true"
        else "pending" if found.get("isApproved", "").strip() == "false"
        else "approved"
    )  # fmt: skip
    return {
        "thread": found.get("thread@") or found.get("thread", "").strip(),
        "id": element.get(DSQ) or found.get("id", "").strip(),
        "parent": found.get("parent@") or found.get("parent", "").strip(),
        "created_at": date_of(found.get("createdAt", "")),
        "status": status,
        "name": found.get("author.name", "").strip() or found.get("author.username", "").strip(),
        "email": found.get("author.email", "").strip(),
        "ip": found.get("ipAddress", "").strip(),
        "message": found.get("message", ""),
    }


def date_of(value):
    value = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Staging the posts in PostgreSQL, per connection.


def create_stage():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (thread text, id text, parent text, "
            "created_at timestamptz, status text, name text, email text, ip text, message text)"
        )


def stage(posts):
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {STAGE} VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            [[post[c] for c in COLUMNS] for post in posts],
        )


def staged_threads():
    """{thread key: number of posts} of the posts read."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT thread, count(*) FROM {STAGE} GROUP BY thread")
        return dict(cursor.fetchall())


def remarks_of(keys):
    """The posts of a thread (any of its ``keys``) as Remarks, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)} FROM {STAGE} WHERE thread = ANY(%s) "
            "ORDER BY created_at, id",
            [list(keys)],
        )
        rows = cursor.fetchall()
    return [
        Remark(
            source_id=row["id"],
            parent_id=row["parent"],
            author_name=row["name"],
            author_email=row["email"],
            author_url="",
            ip_address=row["ip"],
            created_at=row["created_at"],
            status=row["status"],
            kind="comment",
            body=row["message"],
        )  # fmt: skip
        for row in (dict(zip(COLUMNS, values, strict=True)) for values in rows)
        if row["id"] and row["created_at"]
    ]


# Which article a thread is.


def read_map(path):
    """{thread link or identifier: article slug or URL} from a CSV file of two columns."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            rows = [row for row in csv.reader(file) if row and not row[0].startswith("#")]
    except OSError as error:
        raise BadExport(f"The map file cannot be read: {error.strerror or error}.") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise BadExport(f"The map file is not a UTF-8 CSV file: {error}.") from None
    bad = [n for n, row in enumerate(rows, 1) if len(row) < 2 or not row[1].strip()]
    if bad:
        raise BadExport(f"Map file row {bad[0]}: expected “thread link or id, article slug "
                        "or URL”.")  # fmt: skip
    return {row[0].strip(): row[1].strip() for row in rows}


def normal(url):
    """A link as compared: no scheme, no "www.", no query or fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"
