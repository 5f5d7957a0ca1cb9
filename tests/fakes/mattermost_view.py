"""A fake Mattermost channel as a person would read it: its posts (message attachments with their
colour bar, title, fields and buttons; markdown rendered) and each card's thread under it, as one
HTML page for a browser to show. Used for the docs' screenshots of a bot's card."""

from __future__ import annotations

import html
from typing import Any

from markdown_it import MarkdownIt

from tests.fakes.mattermost import FakeMattermost
from tests.fakes.mattermost_model import Post

_markdown = MarkdownIt("commonmark")

STYLE = """
body { font: 14px/1.45 'Open Sans', sans-serif; color: #3d3c40; margin: 0; background: #fff; }
header { padding: 12px 20px; border-bottom: 1px solid #ddd; font-weight: 600; font-size: 16px; }
.post { display: flex; gap: 10px; padding: 10px 20px; }
.avatar { width: 36px; height: 36px; border-radius: 50%; background: #1e325c; color: #fff;
  display: flex; align-items: center; justify-content: center; font-weight: 700; flex: none; }
.name { font-weight: 700; } .bot { font-size: 10px; background: #ddd; border-radius: 2px;
  padding: 0 4px; margin-left: 4px; } .edited { color: #999; font-size: 12px; margin-left: 4px; }
.attachment { border-left: 4px solid #ccc; padding: 6px 12px; margin-top: 4px; max-width: 640px; }
.title { font-weight: 700; font-size: 15px; } .title a { color: #2389d7; text-decoration: none; }
.fields { display: flex; flex-wrap: wrap; } .field { width: 50%; margin-top: 6px; }
.field.long { width: 100%; } .field b { display: block; }
.actions button { margin: 8px 8px 0 0; padding: 6px 12px; border: 1px solid #ccc; border-radius: 4px;
  background: #fff; font-weight: 600; color: #3d3c40; }
.actions .primary { background: #166de0; color: #fff; border-color: #166de0; }
.actions .danger { color: #d24b4e; border-color: #d24b4e; }
.context { color: #777; font-size: 12px; margin-top: 6px; }
.thread { margin-left: 66px; border-left: 2px solid #eee; }
p { margin: 2px 0; }
"""


def page(title: str, threads: list[tuple[str, list[str]]]) -> str:
    """A channel's page: each post (its HTML) followed by the replies in its thread."""
    blocks = []
    for post, replies in threads:
        blocks.append(post)
        if replies:
            blocks.append(f'<div class="thread">{"".join(replies)}</div>')
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLE}</style></head><body>"
        f"<header>{html.escape(title)}</header>{''.join(blocks)}</body></html>"
    )


def post_frame(author: str, *, edited: bool, body: str) -> str:
    """One post by a bot: its avatar, name, "(edited)" once edited, and its ``body`` (HTML)."""
    name = html.escape(author)
    return (
        f'<div class="post"><div class="avatar">{name[:1].upper()}</div><div>'
        f'<span class="name">{name}</span><span class="bot">BOT</span>'
        f"{'<span class=edited>(edited)</span>' if edited else ''}{body}</div></div>"
    )


def channel_page(fake: FakeMattermost, channel: str) -> str:
    posts = fake.posts(channel)
    threads = [
        (_post(post), [_post(reply) for reply in posts if reply.root_id == post.id])
        for post in posts
        if not post.root_id
    ]
    return page(f"~{channel}", threads)


def _post(post: Post) -> str:
    attachments = "".join(_attachment(attachment) for attachment in post.attachments)
    text = _markdown.render(post.text) if post.text else ""
    return post_frame(post.username, edited=bool(post.edits), body=text + attachments)


def _attachment(attachment: dict[str, Any]) -> str:
    title = html.escape(str(attachment.get("title") or ""))
    if attachment.get("title_link"):
        title = f'<a href="{html.escape(str(attachment["title_link"]))}">{title}</a>'
    fields = "".join(_field(item) for item in attachment.get("fields") or [])
    buttons = "".join(_button(action) for action in attachment.get("actions") or [])
    text = _markdown.render(str(attachment.get("text") or ""))
    color = html.escape(str(attachment.get("color") or "#ccc"))
    return (
        f'<div class="attachment" style="border-left-color:{color}">'
        f'<div class="title">{title}</div>{text}<div class="fields">{fields}</div>'
        f'<div class="actions">{buttons}</div></div>'
    )


def _field(item: dict[str, Any]) -> str:
    width = "" if item.get("short") else " long"
    value = _markdown.renderInline(str(item.get("value") or ""))
    return f'<div class="field{width}"><b>{html.escape(str(item.get("title")))}</b>{value}</div>'


def _button(action: dict[str, Any]) -> str:
    style = html.escape(str(action.get("style") or ""))
    return f'<button class="{style}">{html.escape(str(action.get("name")))}</button>'
