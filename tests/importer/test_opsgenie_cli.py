"""``tocsin import opsgenie`` as an administrator runs it: the real console script against the
fake Opsgenie, with plain progress lines on stderr (it is not a terminal here)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from tests.fakes import opsgenie_config_api
from tests.fakes.opsgenie_account import FULL_KEY
from tests.fakes.opsgenie_config_api import FakeOpsgenie
from tests.test_cli import TOCSIN, Tocsin, tocsin_environment
from tocsin.accounts import service as accounts
from tocsin.db import Database
from tocsin.importer.opsgenie_reader import ATTEMPTS

fake_opsgenie = opsgenie_config_api.fake_opsgenie


@pytest.fixture
def og(fake_opsgenie: FakeOpsgenie) -> FakeOpsgenie:
    fake_opsgenie.reset()
    return fake_opsgenie


@pytest.fixture
def tocsin(database_url: str, tmp_path: Path) -> Tocsin:
    environment = tocsin_environment(database_url=database_url, data_dir=tmp_path / "data")
    return Tocsin({**environment, "OPSGENIE_API_KEY": FULL_KEY})


def user_count(db: Database) -> int:
    with db.read_session() as session:
        return accounts.count_users(session)


def line_starting(output: str, prefix: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(prefix))


def test_plan_then_import_then_import_again(tocsin: Tocsin, og: FakeOpsgenie, db: Database) -> None:
    planned = tocsin("import", "opsgenie", "--api-url", og.base_url, "--plan")

    assert planned.returncode == 0, planned.stderr
    assert "read 30 users, 5 teams, 6 schedules, " in planned.stderr
    assert "create  user ada.lovelace@acme.example: owner; Europe/London;" in planned.stdout
    assert "not carried over: custom role 'Observer'" in planned.stdout
    plan = re.fullmatch(
        r"Plan: (\d+) to create, 0 to change, 0 already in Tocsin, (\d+) that cannot be carried over\. "
        r"Nothing was changed \(--plan\)\.",
        line_starting(planned.stdout, "Plan: "),
    )
    assert plan is not None
    total, cannot = int(plan[1]), int(plan[2])
    assert total >= 30 + 5 + 6 and user_count(db) == 0
    assert "cannot  integration Support mailbox: Tocsin takes no alerts by e-mail" in planned.stdout

    imported = tocsin("import", "opsgenie", "--api-url", og.base_url)

    assert imported.returncode == 0, imported.stderr
    assert "[1/" in imported.stderr and f"[{total}/{total}] created " in imported.stderr
    imported_line = line_starting(imported.stdout, "Imported: ")
    assert imported_line == (
        f"Imported: {total} created or changed, 0 already here, {cannot} not carried over, 0 failed."
    )
    assert "not carried over: integration Datadog: Tocsin does not serve" in imported.stdout  # a `cannot`
    new_keys = [line for line in imported.stdout.splitlines() if line.startswith("new key: ")]
    assert f"{len(new_keys)} new integration key(s) are above" in imported.stdout and new_keys
    checked = [line for line in imported.stdout.splitlines() if "on-call check" in line]
    assert len(checked) == len(og.account.schedules) and all(
        "agrees with Opsgenie" in line for line in checked
    )
    assert user_count(db) == 30

    again = tocsin("import", "opsgenie", "--api-url", og.base_url)

    assert again.returncode == 0, again.stderr
    again_line = line_starting(again.stdout, "Imported: ")
    assert again_line == (
        f"Imported: 0 created or changed, {total} already here, {cannot} not carried over, 0 failed."
    )


def test_opsgenie_that_stays_throttled_leaves_nothing_half_imported(
    tocsin: Tocsin, og: FakeOpsgenie, db: Database
) -> None:
    og.throttle("/v2/teams", first=ATTEMPTS, retry_after=0)

    result = tocsin("import", "opsgenie", "--api-url", og.base_url)

    assert result.returncode == 1
    assert "Opsgenie: HTTP 429 for GET /v2/teams; trying again in 0 s" in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: Opsgenie did not answer GET /v2/teams after 8 tries")
    assert last.endswith("nothing was imported. Run the same command again later.")
    assert user_count(db) == 0


def test_a_key_opsgenie_refuses_is_one_line_saying_which_key_to_use(tocsin: Tocsin, og: FakeOpsgenie) -> None:
    result = tocsin("import", "opsgenie", "--api-url", og.base_url, "--api-key", "wrong")

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: Opsgenie refused the key for GET /v2/account (HTTP 401: Could not authenticate); "
        "use an API Key Management key with Read and Configuration Access"
    )


def test_on_a_terminal_progress_is_a_bar(tocsin: Tocsin, og: FakeOpsgenie) -> None:
    terminal, their_end = pty.openpty()
    process = subprocess.Popen(
        [str(TOCSIN), "import", "opsgenie", "--api-url", og.base_url],
        env={**tocsin.environment, "COLUMNS": "100", "TERM": "xterm"},
        stdin=their_end,
        stdout=subprocess.DEVNULL,
        stderr=their_end,
    )
    os.close(their_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the other end closed: the command is over
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)

    assert process.wait(timeout=60) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))  # colours, cursor
    reads = re.findall(r"Reading Opsgenie: GET (\S+) (\d+) requests", text)
    assert reads and int(reads[-1][1]) > 100  # the count, up to the last read
    assert all(len(part) <= 20 for path, _ in reads for part in path.split("/"))  # ids left out
    bars = re.findall(r"Importing [━╺╸ ]+ *(\d+)/(\d+)", text)
    assert bars and bars[-1][0] == bars[-1][1]  # the import's bar, full at the end
    assert "[1/" not in text  # no log lines on a terminal
