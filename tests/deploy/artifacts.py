"""The deployment files as the tests read them: the ``tocsin`` commands, ``TOCSIN_*`` names and
settings they give, each checked against the program itself (typer's app, ``Settings``)."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import typer
import yaml

from tocsin.cli.app import app as cli_app
from tocsin.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
API_UNIT = DEPLOY / "systemd" / "tocsin-api.service"
ENGINE_UNIT = DEPLOY / "systemd" / "tocsin-engine.service"
NGINX_CONF = DEPLOY / "nginx" / "tocsin.conf"
ENV_EXAMPLE = DEPLOY / "tocsin.env.example"
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
EVERY_FILE = [API_UNIT, ENGINE_UNIT, NGINX_CONF, ENV_EXAMPLE, DOCKERFILE, COMPOSE, DEPLOY_DOC]

SETTINGS = {f"TOCSIN_{name.upper()}" for name in Settings.model_fields}
# What every multi-node deployment must give (the others have defaults that suit it).
REQUIRED = {
    "TOCSIN_DATABASE_URL",
    "TOCSIN_SECRET_KEY",
    "TOCSIN_PUBLIC_BASE_URL",
    "TOCSIN_FORWARDED_ALLOW_IPS",
}


def named_settings(text: str) -> set[str]:
    return set(re.findall(r"\bTOCSIN_[A-Z0-9_]*[A-Z0-9]\b", text))


def command_problem(argv: list[str]) -> str | None:
    """Why ``argv`` (``tocsin …``) would not run, or None: every command and option is looked up
    in typer's app and parsed as click would."""
    if not argv or Path(argv[0]).name != "tocsin":
        return f"not a tocsin command: {argv}"
    command: Any = typer.main.get_command(cli_app)  # typer's own (vendored) click classes
    words = list(argv[1:])
    path = ["tocsin"]
    while getattr(command, "commands", None) is not None:  # a group
        if not words or words[0] not in command.commands:
            return f"{' '.join(path)} has no command {words[0] if words else '(none given)'}"
        path.append(words.pop(0))
        command = command.commands[path[-1]]
    try:
        command.make_context(" ".join(path), words)  # parses options and arguments as a run would
    except Exception as exc:  # click's UsageError (typer vendors click, so no name to catch it by)
        return f"{' '.join(argv)}: {getattr(exc, 'format_message', exc.__str__)()}"
    return None


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd's keys are case-sensitive
    parser.read_string(path.read_text(), source=str(path))
    return parser


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def exec_form(arguments: str) -> list[str]:
    """A Dockerfile CMD's or a compose command's words (JSON exec form or a shell line)."""
    arguments = arguments.strip()
    if arguments.startswith("["):
        return list(yaml.safe_load(arguments))
    return shlex.split(arguments)


def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(document, dict)
    return document


def environment_file(path: Path = ENV_EXAMPLE) -> tuple[dict[str, str], set[str]]:
    """The settings an environment file gives, and the ones it names only in comments."""
    given: dict[str, str] = {}
    mentioned: set[str] = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            mentioned |= named_settings(line)
            continue
        name, equals, value = line.partition("=")
        assert equals and name == name.strip() and re.fullmatch(r"[A-Z0-9_]+", name), (
            f"{path.name}:{number}: not NAME=value: {line!r}"
        )
        assert not value.startswith(("'", '"')) and " " not in value, (
            f"{path.name}:{number}: systemd and Compose read quotes and spaces differently: {line!r}"
        )
        given[name] = value
    return given, mentioned
