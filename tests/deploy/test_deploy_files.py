"""The deployment files name only what exists: every ``tocsin`` command and option they run, every
``TOCSIN_*`` setting they or docs/deploy.md name; they give every required setting, with values
Tocsin accepts; the Dockerfile installs this project on a Python it supports."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tests.deploy.artifacts import (
    API_UNIT,
    DEPLOY_DOC,
    ENGINE_UNIT,
    ENV_EXAMPLE,
    EVERY_FILE,
    REQUIRED,
    ROOT,
    SETTINGS,
    command_problem,
    compose,
    dockerfile_instructions,
    environment_file,
    exec_form,
    named_settings,
    unit,
)
from tocsin.config import Settings

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_command_checker_finds_wrong_commands_and_options() -> None:
    assert command_problem(["tocsin", "serve", "--no-engine"]) is None
    assert "No such option" in str(command_problem(["tocsin", "serve", "--no-engin"]))
    assert "has no command" in str(command_problem(["tocsin", "engines"]))
    assert "extra argument" in str(command_problem(["tocsin", "migrate", "now"]))


def test_every_tocsin_command_they_run_exists() -> None:
    commands = {
        "tocsin-api.service": unit(API_UNIT)["Service"]["ExecStart"].split(),
        "tocsin-engine.service": unit(ENGINE_UNIT)["Service"]["ExecStart"].split(),
        "Dockerfile CMD": next(
            exec_form(rest) for keyword, rest in dockerfile_instructions() if keyword == "CMD"
        ),
    }
    for name, service in compose()["services"].items():
        if name != "db":
            command = service["command"]
            commands[f"compose {name}"] = exec_form(command) if isinstance(command, str) else list(command)

    problems = {where: command_problem(argv) for where, argv in commands.items()}

    assert {where: problem for where, problem in problems.items() if problem} == {}
    assert commands["tocsin-api.service"][1:] == ["serve", "--no-engine"]
    assert commands["tocsin-engine.service"][1:] == ["engine"]
    assert commands["compose tocsin"][1:] == ["serve", "--no-engine"]
    assert commands["compose engine"][1:] == ["engine"]


def _doc_commands(text: str) -> set[tuple[str, ...]]:
    """The ``tocsin …`` commands docs/deploy.md shows: code spans that start with one, and any
    ``…/bin/tocsin …`` (in code blocks too); an upper-case placeholder stands for a number."""
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    spans = [span for span in re.findall(r"`([^`]+)`", prose) if span.startswith("tocsin ")]
    spans += re.findall(r"/bin/(tocsin [^'`\n]+)", text)
    commands = set()
    for span in spans:
        words = re.sub(r"\b[A-Z]\b", "2", span.split("#")[0].split("&&")[0]).split()
        commands.add(tuple(words))
    return commands


def test_the_commands_docs_deploy_md_shows_exist() -> None:
    commands = _doc_commands(DEPLOY_DOC.read_text())

    assert {("tocsin", "migrate"), ("tocsin", "serve", "--no-engine"), ("tocsin", "engine")} <= commands
    assert ("tocsin", "serve", "--workers", "2") in commands
    assert {argv: command_problem(list(argv)) for argv in commands if command_problem(list(argv))} == {}


@pytest.mark.parametrize("path", EVERY_FILE, ids=lambda path: path.name)
def test_every_setting_they_name_is_a_real_one(path: Path) -> None:
    named = named_settings(path.read_text())

    assert named - SETTINGS == set()


def test_the_environment_file_gives_every_required_setting_with_values_tocsin_accepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given, mentioned = environment_file()
    for name in [name for name in os.environ if name.startswith("TOCSIN_")]:
        monkeypatch.delenv(name)
    for name, value in given.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert set(given) >= REQUIRED
    assert settings.effective_database_url.startswith("postgresql://")
    assert settings.base_url == "https://tocsin.example.com"
    assert str(settings.data_dir) == unit(API_UNIT)["Service"]["WorkingDirectory"]
    assert {"TOCSIN_SMTP_HOST", "TOCSIN_SMTP_PASSWORD", "TOCSIN_ROOT_PATH"} <= mentioned


def test_compose_runs_postgresql_15_and_gives_both_tocsin_services_every_required_setting() -> None:
    services = compose()["services"]
    volumes = set(compose().get("volumes", {}))

    assert services["db"]["image"].startswith("postgres:15")
    for name in ("tocsin", "engine"):
        environment = services[name]["environment"]
        assert set(environment) >= REQUIRED, name
        assert set(environment) <= SETTINGS, name
        assert environment["TOCSIN_DATABASE_URL"].startswith("postgresql://"), name
        assert "@db:5432/" in environment["TOCSIN_DATABASE_URL"], name
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name
        used = {mount.split(":", 1)[0] for mount in service.get("volumes", [])}
        assert {volume for volume in used if not volume.startswith((".", "/"))} <= volumes, name
    assert services["tocsin"]["build"] == "."
    assert services["engine"]["image"] == services["tocsin"]["image"]  # the image compose builds
    interpolated = set(re.findall(r"\$\{(TOCSIN_[A-Z0-9_]+)", (ROOT / "compose.yaml").read_text()))
    assert interpolated <= SETTINGS


def test_the_dockerfile_installs_this_project_on_a_python_it_supports() -> None:
    instructions = dockerfile_instructions()
    base = next(rest for keyword, rest in instructions if keyword == "FROM")
    python = re.fullmatch(r"python:(\d+\.\d+)-slim", base)
    copies = [rest.split() for keyword, rest in instructions if keyword == "COPY"]
    installs = [rest for keyword, rest in instructions if keyword == "RUN" and "pip install" in rest]
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert python, base
    assert python[1] in SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert len(installs) == 1, installs
    target = installs[0].split("pip install ", 1)[1].split()[0]
    project_dir, _, extras = target.partition("[")
    assert set(filter(None, extras.rstrip("]").split(","))) <= set(
        PYPROJECT["project"]["optional-dependencies"]
    )
    copied: dict[str, str] = {}  # what the image holds under the project's directory: source path
    for *sources, destination in copies:
        for source in sources:
            assert (ROOT / source).exists(), source
            assert f"!{source}" in ignored, f".dockerignore keeps {source} out of the build"
            inside = destination.rstrip("/") + "/" + source if destination.endswith("/") else destination
            copied[inside] = source
    needed = ["pyproject.toml", PYPROJECT["project"]["readme"]]
    needed += PYPROJECT["tool"]["setuptools"]["packages"]["find"]["where"]
    for name in needed:
        assert f"{project_dir.rstrip('/')}/{name}" in copied, f"{name} is not copied into {project_dir}"


def test_the_image_runs_as_a_user_of_its_own_and_serves_with_its_data_in_a_volume() -> None:
    instructions = dockerfile_instructions()
    user = [rest for keyword, rest in instructions if keyword == "USER"]
    environment = " ".join(rest for keyword, rest in instructions if keyword == "ENV")
    settings = dict(re.findall(r"(TOCSIN_[A-Z0-9_]+)=(\S+)", environment))

    assert user and user[-1] not in {"root", "0"}
    assert settings["TOCSIN_DATA_DIR"] in [rest for keyword, rest in instructions if keyword == "VOLUME"]
    assert settings["TOCSIN_HOST"] == "0.0.0.0"
    assert settings["TOCSIN_PORT"] in [rest for keyword, rest in instructions if keyword == "EXPOSE"]
    assert next(exec_form(rest) for keyword, rest in instructions if keyword == "CMD") == ["tocsin", "serve"]


def test_docs_deploy_md_installs_what_the_units_expect() -> None:
    doc = DEPLOY_DOC.read_text()
    for path in (API_UNIT, ENGINE_UNIT):
        service = unit(path)["Service"]
        executable = Path(service["ExecStart"].split()[0])
        assert f"python3 -m venv {executable.parents[1]}" in doc, executable
        assert f"useradd --system --home-dir {service['WorkingDirectory']}" in doc
        assert doc.count(f"--shell /usr/sbin/nologin {service['User']}") == 1
        assert service["EnvironmentFile"] in doc
        assert service["WorkingDirectory"] == f"/var/lib/{service['StateDirectory']}"
    assert f"deploy/{ENV_EXAMPLE.name}" in doc
