"""Debian's nginx running deploy/nginx/tocsin.conf as shipped, but for what a test must change:
its ports, the API node it forwards to and the certificate (a test authority's, from trustme)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import trustme

from tests.conftest import require_service
from tests.deploy.artifacts import NGINX_CONF

SHIPPED_CERTIFICATE = "/etc/ssl/tocsin/fullchain.pem"
SHIPPED_KEY = "/etc/ssl/tocsin/privkey.pem"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        require_service("nginx is not installed (Debian package nginx)")
    assert found is not None
    return found


def replace_once(text: str, old: str, new: str) -> str:
    """One change to the shipped file; it fails when the file no longer reads as the test expects."""
    assert text.count(old) == 1, f"{NGINX_CONF.name} should contain {old!r} once"
    return text.replace(old, new)


@dataclass
class Certificate:
    authority: trustme.CA
    chain: Path
    key: Path


def make_certificate(directory: Path) -> Certificate:
    authority = trustme.CA()
    leaf = authority.issue_cert("127.0.0.1", "tocsin.example.com")
    chain, key = directory / "fullchain.pem", directory / "privkey.pem"
    leaf.private_key_pem.write_to_path(str(key))
    chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    return Certificate(authority, chain, key)


def configuration(directory: Path, certificate: Certificate, **ports: int) -> Path:
    """The shipped file with the test's certificate (and, given ``http``, ``https`` and
    ``tocsin``, its ports), inside a main configuration whose files all live in ``directory``."""
    site = NGINX_CONF.read_text()
    site = replace_once(site, SHIPPED_CERTIFICATE, str(certificate.chain))
    site = replace_once(site, SHIPPED_KEY, str(certificate.key))
    if ports:
        site = replace_once(site, "listen 80;", f"listen 127.0.0.1:{ports['http']};")
        site = replace_once(site, "listen [::]:80;", "")
        site = replace_once(site, "listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;")
        site = replace_once(site, "listen [::]:443 ssl;", "")
        site = replace_once(site, "server 127.0.0.1:8080;", f"server 127.0.0.1:{ports['tocsin']};")
    (directory / "tocsin.conf").write_text(site)
    temporary = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = directory / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # its workers then read the test's directory
        + f"pid {directory / 'nginx.pid'};\n"
        + "error_log stderr warn;\n"
        + "events { worker_connections 64; }\n"
        + "http {\n"
        + "    access_log off;\n"
        + f"{temporary}\n"
        + f"    include {directory / 'tocsin.conf'};\n"
        + "}\n"
    )
    return main


def check(main: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nginx_binary(), "-t", "-p", str(main.parent), "-c", str(main), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


class Nginx:
    """nginx in the foreground, stopped (by its own process id) at the end."""

    def __init__(self, main: Path, port: int) -> None:
        self.port = port
        self.log = main.parent / "stderr"
        with self.log.open("w") as stderr:
            self.process = subprocess.Popen(
                [
                    nginx_binary(),
                    "-p",
                    str(main.parent),
                    "-c",
                    str(main),
                    "-e",
                    "stderr",
                    "-g",
                    "daemon off;",
                ],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
            )
        deadline = time.monotonic() + 20
        while not self._listening():
            assert self.process.poll() is None, f"nginx exited:\n{self.log.read_text()}"
            assert time.monotonic() < deadline, f"nginx did not listen on {port}:\n{self.log.read_text()}"
            time.sleep(0.05)

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
