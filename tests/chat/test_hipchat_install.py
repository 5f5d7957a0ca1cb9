"""Installing the HipChat add-on from an integration's Capabilities URL, as a HipChat admin does
it in a room: the descriptor HipChat reads, the install callback that hands over the OAuth
client (kept only once proven), refusals that change nothing, and the uninstall."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.fakes.hipchat import FakeHipChat
from tests.fakes.hipchat_setup import add_hipchat, config_of
from tocsin.config import Settings
from tocsin.db import Database


@pytest.fixture
def fake(http: TestClient) -> Iterator[FakeHipChat]:
    with FakeHipChat(sender=http) as running:
        yield running


@pytest.fixture
def added(db: Database, settings: Settings, fake: FakeHipChat) -> tuple[str, str]:
    return add_hipchat(db, settings, fake)


def test_the_descriptor_describes_a_room_add_on_listening_for_genie(http: TestClient, added) -> None:
    integration_id, url = added
    descriptor = http.get(url).json()

    assert descriptor["key"] == "tocsin-" + integration_id.replace("-", "")
    assert len(descriptor["key"]) <= 40
    assert descriptor["name"] == "Tocsin (ops-room)"
    assert descriptor["links"]["self"] == url
    capabilities = descriptor["capabilities"]
    assert capabilities["hipchatApiConsumer"] == {
        "scopes": ["send_notification", "send_message", "view_group"],
        "fromName": "Tocsin",
    }
    assert capabilities["installable"] == {
        "allowGlobal": False,
        "allowRoom": True,
        "callbackUrl": f"{url}/installed",
    }
    assert capabilities["webhook"] == [
        {
            "event": "room_message",
            "pattern": r"^/genie(\s|$)",
            "url": f"{url}/message",
            "name": "genie",
            "authentication": "jwt",
        }
    ]


def test_an_unknown_capabilities_url_is_a_404_that_says_so(http: TestClient, added) -> None:
    _, url = added
    answer = http.get(url[:-4] + "AAAA")
    assert answer.status_code == 404
    assert "belongs to no Tocsin integration" in answer.json()["error"]


def test_installing_in_a_room_keeps_the_installation(db: Database, fake: FakeHipChat, added) -> None:
    integration_id, url = added
    installation = fake.install(url, room="ops-alerts", group="acme")

    assert installation.status == 204 and installation.installed, installation.detail
    kept = config_of(db, integration_id)["hipchatInstallation"]
    room = fake.world.room("ops-alerts", "acme")
    assert kept["oauthId"] == installation.oauth_id
    assert kept["oauthSecret"] == installation.client.oauth_secret
    assert (kept["groupId"], kept["groupName"], kept["roomId"]) == (int(room.group.id), "acme", int(room.id))
    assert kept["capabilitiesUrl"] == fake.capabilities_url
    assert kept["tokenUrl"] == f"{fake.base_url}/v2/oauth/token"
    assert kept["apiUrl"] == f"{fake.base_url}/v2/"
    assert kept["installedAt"]


def test_a_capabilities_url_on_another_server_is_refused(db: Database, fake: FakeHipChat, added) -> None:
    integration_id, url = added
    with FakeHipChat() as elsewhere:
        installation = fake.install(url, capabilities_url=elsewhere.capabilities_url)

    assert installation.status == 400
    assert "is not on this integration's HipChat server" in installation.detail
    assert "hipchatInstallation" not in config_of(db, integration_id)
    assert elsewhere.requests == []


def test_a_second_installation_is_refused_and_the_first_kept(db: Database, fake: FakeHipChat, added) -> None:
    integration_id, url = added
    first = fake.install(url, room="ops-alerts")
    second = fake.install(url, room="db-alerts")

    assert second.status == 409 and not second.installed
    assert f"already installed in HipChat room {fake.world.room('ops-alerts', 'acme').id}" in second.detail
    assert "uninstall it there first" in second.detail
    assert config_of(db, integration_id)["hipchatInstallation"]["oauthId"] == first.oauth_id


def test_a_global_installation_is_refused(db: Database, fake: FakeHipChat, added) -> None:
    integration_id, url = added
    installation = fake.install(url, room=None)

    assert installation.status == 400 and "install the integration from a room" in installation.detail
    assert "hipchatInstallation" not in config_of(db, integration_id)


def test_credentials_hipchat_does_not_know_are_refused(db: Database, fake: FakeHipChat, added) -> None:
    integration_id, url = added
    installation = fake.install(url, oauth_secret="not-the-secret")

    assert installation.status == 400
    assert "HipChat refused the installation's OAuth credentials" in installation.detail
    assert "Invalid OAuth client credentials" in installation.detail
    assert "hipchatInstallation" not in config_of(db, integration_id)


def test_a_hipchat_server_that_is_down_is_reported(db: Database, fake: FakeHipChat, added) -> None:
    integration_id, url = added
    fake.down()
    installation = fake.install(url)

    assert installation.status == 502 and "could not read HipChat's capabilities" in installation.detail
    assert "hipchatInstallation" not in config_of(db, integration_id)


def test_uninstalling_forgets_the_installation(db: Database, fake: FakeHipChat, added) -> None:
    integration_id, url = added
    installation = fake.install(url)

    assert fake.uninstall(installation) == 204
    assert "hipchatInstallation" not in config_of(db, integration_id)
    assert fake.install(url, room="db-alerts").installed  # another room may have it now


def test_an_uninstall_of_another_installation_changes_nothing(
    http: TestClient, db: Database, fake: FakeHipChat, added
) -> None:
    integration_id, url = added
    installation = fake.install(url)

    assert http.delete(f"{url}/installed/someone-else").status_code == 404
    assert config_of(db, integration_id)["hipchatInstallation"]["oauthId"] == installation.oauth_id
