"""What each kind of endpoint is sent (issue #26): one body per kind, built from the same
message, and the request that carries it.

A message is a dict: ``event``, ``title`` (one line), ``lines`` (plain text, user text
included), ``links`` ([(label, url)]) and ``data`` (the generic JSON's ``data``). User text goes
into chat as plain text: no markup of theirs is interpreted and no one is pinged.
"""

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import quote

from alerts.models import Endpoint

Kind = Endpoint.Kind
DISCORD_SUPPRESS_EMBEDS = 1 << 2  # no previews of the links a comment holds


def plain(message):
    links = [f"{label}: {url}" for label, url in message["links"]]
    return "\n".join([message["title"], *message["lines"], *links])


def slack_escape(text):
    # Slack's mrkdwn treats these three as markup (<!channel>, <url|label>).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message, endpoint):
    text = slack_escape("\n".join([message["title"], *message["lines"]]))
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}]
    if message["links"]:
        buttons = [
            {"type": "button", "text": {"type": "plain_text", "text": label}, "url": url}
            for label, url in message["links"]
        ]
        blocks.append({"type": "actions", "elements": buttons})
    return {"text": slack_escape(plain(message)), "blocks": blocks}


def discord(message, endpoint):
    links = [f"[{label}](<{url}>)" for label, url in message["links"]]
    text = "\n".join([message["title"], *message["lines"]])[: 1900 - sum(map(len, links))]
    return {
        "content": "\n".join([text, *links]),
        "allowed_mentions": {"parse": []},  # "@everyone" in a comment pings nobody
        "flags": DISCORD_SUPPRESS_EMBEDS,
    }


def matrix(message, endpoint):
    return {"msgtype": "m.text", "body": plain(message)}


def telegram(message, endpoint):
    # Plain text (no parse_mode), so nothing in a comment is taken for markup.
    return {"chat_id": endpoint.target, "text": plain(message)[:4000],
            "disable_web_page_preview": True}  # fmt: skip


def webhook(message, endpoint):
    return {"type": f"comment.{message['event']}", "timestamp": message["at"],
            "data": message["data"]}  # fmt: skip


BUILDERS = {Kind.WEBHOOK: webhook, Kind.SLACK: slack, Kind.DISCORD: discord,
            Kind.MATRIX: matrix, Kind.TELEGRAM: telegram}  # fmt: skip


def body(message, endpoint):
    """The JSON text ``endpoint`` is sent for ``message``."""
    return json.dumps(BUILDERS[endpoint.kind](message, endpoint), ensure_ascii=False)


def signature(secret, message_id, timestamp, payload):
    """Standard Webhooks' ``webhook-signature``: HMAC-SHA256 of "id.timestamp.body" under the
    base64 key after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + payload
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def request(delivery):
    """(method, url, headers, body bytes) of one attempt of ``delivery``."""
    endpoint, payload = delivery.endpoint, delivery.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": "forum-alerts"}
    method, url = "POST", endpoint.url
    if endpoint.kind == Kind.WEBHOOK:
        timestamp = str(int(time.time()))  # signed anew at each attempt, as the scheme asks
        headers |= {
            "webhook-id": delivery.message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature(
                endpoint.secret, delivery.message_id, timestamp, payload
            ),
        }
    elif endpoint.kind == Kind.MATRIX:
        # The transaction ID is the message's: a retry the server saw already is not repeated.
        room = quote(endpoint.target, safe="")
        method = "PUT"
        url = (f"{endpoint.url.rstrip('/')}/_matrix/client/v3/rooms/{room}/send/m.room.message/"
               f"{delivery.message_id}")  # fmt: skip
        headers["Authorization"] = f"Bearer {endpoint.secret}"
    elif endpoint.kind == Kind.TELEGRAM:
        url = f"{endpoint.url.rstrip('/')}/bot{endpoint.secret}/sendMessage"
    return method, url, headers, payload
