"""The systemd units: systemd's own check (``systemd-analyze verify``, with the program where the
test's is), and, everywhere, what they must say read with configparser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.deploy.artifacts import API_UNIT, ENGINE_UNIT, unit
from tests.test_cli import TOCSIN

UNITS = [API_UNIT, ENGINE_UNIT]


@pytest.mark.parametrize("path", UNITS, ids=lambda path: path.name)
def test_the_unit_runs_tocsin_as_its_own_user_with_the_environment_file_and_restarts(path: Path) -> None:
    parsed = unit(path)
    service = parsed["Service"]

    assert set(parsed.sections()) == {"Unit", "Service", "Install"}
    assert service["ExecStart"].split()[0] == "/opt/tocsin/venv/bin/tocsin"
    assert service["User"] == service["Group"] == "tocsin"
    assert service["EnvironmentFile"] == "/etc/tocsin/tocsin.env"
    assert service["Restart"] in {"on-failure", "always"}
    assert service["KillSignal"] == "SIGTERM"  # both stop cleanly on it
    assert service["StateDirectory"] == "tocsin"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    assert "network-online.target" in parsed["Unit"]["After"]


def test_systemd_finds_nothing_wrong_with_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        require_service("systemd-analyze is not installed (Debian package systemd)")
    assert analyze is not None
    copies = []
    for path in UNITS:
        text = path.read_text()
        assert text.count("/opt/tocsin/venv/bin/tocsin ") == 1
        copy = tmp_path / path.name
        copy.write_text(text.replace("/opt/tocsin/venv/bin/tocsin ", f"{TOCSIN} "))
        copies.append(str(copy))

    result = subprocess.run(
        [analyze, "verify", "--man=no", *copies], capture_output=True, text=True, timeout=60, check=False
    )

    about_ours = [line for line in (result.stdout + result.stderr).splitlines() if "tocsin" in line]
    assert result.returncode == 0, result.stderr
    assert about_ours == []
