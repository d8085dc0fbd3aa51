"""Small WordPress exports written for the tests, in the shape WordPress writes them."""

from xml.sax.saxutils import escape

NAMESPACES = {
    "1.0": "http://wordpress.org/export/1.0/",
    "1.1": "http://wordpress.org/export/1.1/",
    "1.2": "http://wordpress.org/export/1.2/",
    "1.2-https": "https://wordpress.org/export/1.2/",
}


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(cid, parent=0, *, body="A comment.", approved="1", kind="",
            date="2020-01-02 10:00:00", author="Reader", email="reader@example.com", url="",
            ip="192.0.2.1", user_id=0):  # fmt: skip
    return f"""
    <wp:comment>
      <wp:comment_id>{cid}</wp:comment_id>
      <wp:comment_author>{cdata(author)}</wp:comment_author>
      <wp:comment_author_email>{escape(email)}</wp:comment_author_email>
      <wp:comment_author_url>{escape(url)}</wp:comment_author_url>
      <wp:comment_author_IP>{ip}</wp:comment_author_IP>
      <wp:comment_date>{date}</wp:comment_date>
      <wp:comment_date_gmt>{date}</wp:comment_date_gmt>
      <wp:comment_content>{cdata(body)}</wp:comment_content>
      <wp:comment_approved>{approved}</wp:comment_approved>
      <wp:comment_type>{kind}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>{user_id}</wp:comment_user_id>
    </wp:comment>"""


def post(pid, title="A post", *, comments=(), status="publish", post_type="post", slug=None,
         body="<p>Body.</p>", date="2020-01-01 09:00:00", comment_status="open",
         creator="editor", password="", link=None, guid="", terms=()):  # fmt: skip
    return f"""
  <item>
    <title>{escape(title)}</title>
    <link>{escape(link or f"https://old.example/?p={pid}")}</link>
    {f'<guid isPermaLink="false">{escape(guid)}</guid>' if guid else ""}
    {"".join(terms)}
    <dc:creator>{cdata(creator)}</dc:creator>
    <content:encoded>{cdata(body)}</content:encoded>
    <excerpt:encoded>{cdata("")}</excerpt:encoded>
    <wp:post_id>{pid}</wp:post_id>
    <wp:post_date>{date}</wp:post_date>
    <wp:post_date_gmt>{date}</wp:post_date_gmt>
    <wp:comment_status>{comment_status}</wp:comment_status>
    <wp:post_name>{slug if slug is not None else f"post-{pid}"}</wp:post_name>
    <wp:status>{status}</wp:status>
    <wp:post_type>{post_type}</wp:post_type>
    <wp:post_password>{password}</wp:post_password>
    {"".join(comments)}
  </item>"""


def wp_category(slug, name, parent="", description="", term_id=0):
    """A <wp:category> of the channel's list of terms."""
    return f"""<wp:category><wp:term_id>{term_id}</wp:term_id>
  <wp:category_nicename>{escape(slug)}</wp:category_nicename>
  <wp:category_parent>{escape(parent)}</wp:category_parent>
  <wp:cat_name>{cdata(name)}</wp:cat_name>
  <wp:category_description>{cdata(description)}</wp:category_description></wp:category>
"""


def wp_tag(slug, name, description="", term_id=0):
    return f"""<wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{escape(slug)}</wp:tag_slug>
  <wp:tag_name>{cdata(name)}</wp:tag_name><wp:tag_description>{cdata(description)}</wp:tag_description>
  </wp:tag>
"""


def on_post(domain, slug, name):
    """A post's <category domain="category|post_tag" nicename="...">."""
    return f'<category domain="{domain}" nicename="{escape(slug)}">{cdata(name)}</category>'


def export(*items, version="1.2", site="https://old.example", authors=None, prolog=""):
    wp = NAMESPACES[version]
    excerpt = wp + "excerpt/"
    if authors is None:
        authors = [("editor", "editor@old.example", "The Editor", 1)]
    author_xml = (
        "".join(
            f"""<wp:author><wp:author_id>{aid}</wp:author_id><wp:author_login>{cdata(login)}</wp:author_login>
        <wp:author_email>{email}</wp:author_email><wp:author_display_name>{cdata(name)}</wp:author_display_name>
        </wp:author>"""
            for login, email, name, aid in authors
        )
        if version != "1.0"
        else ""
    )  # WXR 1.0 had no author list
    return f"""<?xml version="1.0" encoding="UTF-8"?>{prolog}
<rss version="2.0" xmlns:excerpt="{excerpt}" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="{wp}">
<channel>
  <title>Old site</title>
  <link>{site}</link>
  <wp:wxr_version>{version.split("-")[0]}</wp:wxr_version>
  <wp:base_site_url>{site}</wp:base_site_url>
  <wp:base_blog_url>{site}</wp:base_blog_url>
  {author_xml}
  {"".join(items)}
</channel>
</rss>
"""


def disqus_export(threads, posts, forum="oldforum"):
    """A Disqus export (disqus.xsd): ``threads`` as (dsq id, link, title), ``posts`` as dicts
    with id, thread, and optionally parent, message, name, email, spam, deleted, date."""
    thread_xml = "".join(
        f"""<thread dsq:id="{tid}"><id>{tid}-ident</id><forum>{forum}</forum>
        <category dsq:id="1"/><link>{escape(link)}</link><title>{cdata(title)}</title>
        <message/><createdAt>2019-01-01T00:00:00Z</createdAt><author><name>Admin</name>
        <isAnonymous>false</isAnonymous></author><isClosed>false</isClosed>
        <isDeleted>false</isDeleted></thread>"""
        for tid, link, title in threads
    )
    post_xml = "".join(
        f"""<post dsq:id="{p["id"]}"><id/><message>{cdata(p.get("message", "<p>Hi</p>"))}</message>
        <createdAt>{p.get("date", "2019-02-01T10:00:00Z")}</createdAt>
        <isDeleted>{str(p.get("deleted", False)).lower()}</isDeleted>
        <isSpam>{str(p.get("spam", False)).lower()}</isSpam>
        <author><email>{p.get("email", "guest@example.com")}</email>
        <name>{cdata(p.get("name", "Guest"))}</name><isAnonymous>false</isAnonymous>
        <username>guest</username></author><ipAddress>198.51.100.7</ipAddress>
        <thread dsq:id="{p["thread"]}"/>
        {f'<parent dsq:id="{p["parent"]}"/>' if p.get("parent") else ""}</post>"""
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<category dsq:id="1"><forum>{forum}</forum><title>General</title>
  <isDefault>true</isDefault></category>
{thread_xml}
{post_xml}
</disqus>
"""
