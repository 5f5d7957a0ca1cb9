"""Reading an Opsgenie account as Opsgenie serves it (the fake in tests/fakes): every user once
whatever the page size, 429s waited out (Retry-After when sent, else 1, 2, 4 … s), 5xx and
dropped connections retried, and a key Opsgenie refuses named as the problem."""

from __future__ import annotations

import pytest

from tests.fakes import opsgenie_config_api
from tests.fakes.opsgenie_account import FULL_KEY, NO_CONFIG_KEY
from tests.fakes.opsgenie_config_api import FakeOpsgenie
from tocsin.errors import InvalidInput
from tocsin.importer.opsgenie_reader import ATTEMPTS, OpsgenieReader, OpsgenieRefused, OpsgenieUnavailable

fake_opsgenie = opsgenie_config_api.fake_opsgenie


@pytest.fixture
def og(fake_opsgenie: FakeOpsgenie) -> FakeOpsgenie:
    fake_opsgenie.reset()
    return fake_opsgenie


def reader(og: FakeOpsgenie, waits: list[float], key: str = FULL_KEY) -> OpsgenieReader:
    return OpsgenieReader(og.base_url, key, sleep=waits.append)


@pytest.mark.parametrize("page_size", [1, 7, 30, 100])
def test_paging_reads_every_user_once(og: FakeOpsgenie, page_size: int) -> None:
    with reader(og, []) as opsgenie:
        usernames = [user["username"] for user in opsgenie.pages("/v2/users", page_size=page_size)]

    assert len(usernames) == len(set(usernames)) == len(og.account.users)
    assert og.requests_to("/v2/users") == -(-len(og.account.users) // page_size)


def test_a_429_without_retry_after_is_waited_out_doubling(og: FakeOpsgenie) -> None:
    og.throttle("/v2/teams", first=3)
    waits: list[float] = []

    with reader(og, waits) as opsgenie:
        teams = opsgenie.get("/v2/teams")

    assert [team["name"] for team in teams] == [team["name"] for team in og.account.teams]
    assert waits == [1.0, 2.0, 4.0]
    assert og.requests_to("/v2/teams") == 4


def test_a_429_with_retry_after_waits_as_long_as_it_says(og: FakeOpsgenie) -> None:
    og.throttle("/v2/teams", first=2, retry_after=3)
    waits: list[float] = []

    with reader(og, waits) as opsgenie:
        opsgenie.get("/v2/teams")

    assert waits == [3.0, 3.0]


@pytest.mark.parametrize("how", ["500", "close"])
def test_a_server_error_or_a_dropped_connection_is_tried_again(og: FakeOpsgenie, how: str) -> None:
    og.fail_once("/v2/account", how)
    waits: list[float] = []

    with reader(og, waits) as opsgenie:
        account = opsgenie.get("/v2/account")

    assert account["name"] == og.account.name
    assert waits == [1.0]


def test_opsgenie_that_never_stops_throttling_is_given_up_on_with_a_clear_error(og: FakeOpsgenie) -> None:
    og.throttle("/v2/teams", first=ATTEMPTS)
    waits: list[float] = []

    with (
        reader(og, waits) as opsgenie,
        pytest.raises(OpsgenieUnavailable, match="HTTP 429 for GET /v2/teams"),
    ):
        opsgenie.get("/v2/teams")

    assert len(waits) == ATTEMPTS - 1 and max(waits) <= 30


@pytest.mark.parametrize(
    ("key", "said"),
    [("not-a-key", "Could not authenticate"), (NO_CONFIG_KEY, "Access to configurations is not allowed")],
)
def test_a_refused_key_says_which_key_is_needed(og: FakeOpsgenie, key: str, said: str) -> None:
    with reader(og, [], key) as opsgenie, pytest.raises(OpsgenieRefused) as refused:
        opsgenie.get("/v2/teams")

    assert said in refused.value.message
    assert "Read and Configuration Access" in refused.value.message


@pytest.mark.parametrize(("url", "key"), [("api.opsgenie.com", FULL_KEY), ("https://api.opsgenie.com", " ")])
def test_a_url_or_key_that_cannot_be_used_is_refused_before_any_request(url: str, key: str) -> None:
    with pytest.raises(InvalidInput):
        OpsgenieReader(url, key)
