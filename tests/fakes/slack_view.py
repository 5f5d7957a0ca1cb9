"""A fake Slack channel as a person would read it: each message (its attachment's colour bar and
Block Kit blocks: sections, fields, context, buttons; mrkdwn rendered) and its thread under it,
as one HTML page for a browser to show. Used for the docs' screenshots of a bot's card."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.fakes.mattermost_view import page, post_frame
from tests.fakes.slack import FakeSlack, Message

_LINK = re.compile(r"&lt;(https?://[^|&]+)\|(.*?)&gt;")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


def channel_page(fake: FakeSlack, channel: str = "ops-alerts") -> str:
    messages = fake.posts(channel)
    threads = [
        (_message(message), [_message(reply) for reply in fake.thread(message)])
        for message in messages
        if not message.thread_ts
    ]
    return page(f"#{channel}", threads)


def mrkdwn(text: str) -> str:
    """Slack's mrkdwn as HTML: ``<url|text>`` links and ``*bold*``; line breaks kept."""
    shown = _LINK.sub(r'<a href="\1">\2</a>', html.escape(text, quote=False))
    return _BOLD.sub(r"<b>\1</b>", shown).replace("\n", "<br>")


def _message(message: Message) -> str:
    body = "" if message.attachments else f"<p>{mrkdwn(str(message.raw.get('text') or ''))}</p>"
    body += "".join(_attachment(attachment) for attachment in message.attachments)
    return post_frame("tocsin", edited=bool(message.edits), body=body)


def _attachment(attachment: dict[str, Any]) -> str:
    parts = [_block(block) for block in attachment.get("blocks") or []]
    color = html.escape(str(attachment.get("color") or "#ccc"))
    return f'<div class="attachment" style="border-left-color:{color}">{"".join(parts)}</div>'


def _block(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "section" and block.get("fields"):
        shown = [mrkdwn(str(item["text"])).replace("</b><br>", "</b>", 1) for item in block["fields"]]
        fields = "".join(f'<div class="field">{field}</div>' for field in shown)
        return f'<div class="fields">{fields}</div>'
    if kind == "section":
        return f'<div class="title">{mrkdwn(str(block["text"]["text"]))}</div>'
    if kind == "context":
        texts = " ".join(
            html.escape(str(element.get("text") or "")) for element in block.get("elements") or []
        )
        return f'<div class="context">{texts}</div>'
    if kind == "actions":
        buttons = "".join(
            f'<button class="{html.escape(str(element.get("style") or ""))}">'
            f"{html.escape(str(element['text']['text']))}</button>"
            for element in block.get("elements") or []
            if element.get("type") == "button"
        )
        return f'<div class="actions">{buttons}</div>'
    return ""
