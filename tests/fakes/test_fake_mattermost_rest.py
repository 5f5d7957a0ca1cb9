"""The fake Mattermost's REST API answers a bot as Mattermost does: posts and thread replies,
patches, channel members, direct channels, and AppErrors for a wrong token, a stranger's post or
a channel the bot is not in."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes import mattermost
from tests.fakes.mattermost import FakeMattermost

fake_mattermost = mattermost.fake_mattermost


def call(fake: FakeMattermost, method: str, path: str, token: str, body: Any = None) -> httpx.Response:
    return httpx.request(
        method,
        f"{fake.base_url}/api/v4{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
    )


def test_a_bot_posts_patches_and_replies_in_the_thread(fake_mattermost: FakeMattermost) -> None:
    token = fake_mattermost.new_bot()
    channel = fake_mattermost.channel("ops-alerts")
    card = {"attachments": [{"title": "#1 Disk full", "actions": [{"name": "Close", "type": "button"}]}]}

    created = call(
        fake_mattermost, "POST", "/posts", token, {"channel_id": channel.id, "message": "", "props": card}
    )
    assert created.status_code == 201
    post_id = created.json()["id"]
    assert created.json()["channel_id"] == channel.id and len(post_id) == 26

    patched = call(
        fake_mattermost, "PUT", f"/posts/{post_id}/patch", token, {"message": "acked", "props": {}}
    )
    assert patched.status_code == 200 and patched.json()["message"] == "acked"
    reply = call(
        fake_mattermost,
        "POST",
        "/posts",
        token,
        {"channel_id": channel.id, "root_id": post_id, "message": "ann acked"},
    )
    assert reply.status_code == 201 and reply.json()["root_id"] == post_id

    [posted] = fake_mattermost.cards("ops-alerts")
    assert posted.text == "acked" and posted.buttons == [] and len(posted.edits) == 1
    assert [post.text for post in fake_mattermost.thread(posted)] == ["ann acked"]


def test_a_wrong_token_is_401_and_a_channel_the_bot_is_not_in_is_403(fake_mattermost: FakeMattermost) -> None:
    token = fake_mattermost.new_bot(channels=("ops-alerts",))
    other = fake_mattermost.channel("elsewhere")

    wrong = call(fake_mattermost, "POST", "/posts", "x" * 26, {"channel_id": other.id, "message": "hi"})
    assert wrong.status_code == 401
    assert (
        wrong.json()["id"] == "api.context.session_expired.app_error" and wrong.json()["status_code"] == 401
    )
    outside = call(fake_mattermost, "POST", "/posts", token, {"channel_id": other.id, "message": "hi"})
    assert outside.status_code == 403 and outside.json()["id"] == "api.context.permissions.app_error"
    assert fake_mattermost.posts() == []


def test_patching_a_missing_post_is_404_and_a_bad_root_is_400(fake_mattermost: FakeMattermost) -> None:
    token = fake_mattermost.new_bot()
    channel = fake_mattermost.channel("ops-alerts")

    missing = call(fake_mattermost, "PUT", f"/posts/{'a' * 26}/patch", token, {"message": "x"})
    assert missing.status_code == 404 and missing.json()["message"]
    orphan = call(
        fake_mattermost,
        "POST",
        "/posts",
        token,
        {"channel_id": channel.id, "root_id": "b" * 26, "message": "x"},
    )
    assert orphan.status_code == 400 and orphan.json()["id"] == "api.post.create_post.root_id.app_error"


def test_channel_members_are_found_or_404(fake_mattermost: FakeMattermost) -> None:
    token = fake_mattermost.new_bot()
    channel = fake_mattermost.channel("ops-alerts")
    fake_mattermost.join("ops-alerts", "ann")
    ann, eve = fake_mattermost.user("ann"), fake_mattermost.user("eve")

    member = call(fake_mattermost, "GET", f"/channels/{channel.id}/members/{ann.id}", token)
    assert member.status_code == 200 and member.json()["user_id"] == ann.id
    stranger = call(fake_mattermost, "GET", f"/channels/{channel.id}/members/{eve.id}", token)
    assert stranger.status_code == 404 and stranger.json()["id"] == "app.channel.get_member.missing.app_error"


def test_a_direct_channel_is_opened_between_the_bot_and_a_user(fake_mattermost: FakeMattermost) -> None:
    token = fake_mattermost.new_bot()
    bot, ann = fake_mattermost.user("tocsin"), fake_mattermost.user("ann")

    opened = call(fake_mattermost, "POST", "/channels/direct", token, [bot.id, ann.id])
    assert opened.status_code == 201 and opened.json()["type"] == "D"
    posted = call(
        fake_mattermost, "POST", "/posts", token, {"channel_id": opened.json()["id"], "message": "page"}
    )
    assert posted.status_code == 201
    assert call(fake_mattermost, "POST", "/channels/direct", token, [ann.id, ann.id]).status_code == 400
