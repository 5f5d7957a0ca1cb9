"""Fixtures of the Slack-only command and button tests: the conftest's ``genie`` on Slack alone,
and its fake Slack as ``fake``. A module takes them as ``platform = slack_genie.platform``."""

from __future__ import annotations

import pytest

from tests.chat.genie_world import PLATFORMS, Platform
from tests.fakes.slack import FakeSlack


@pytest.fixture
def platform() -> Platform:
    return PLATFORMS["Slack"]


@pytest.fixture
def fake(chat_fake: FakeSlack) -> FakeSlack:
    return chat_fake
