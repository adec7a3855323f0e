"""Several app replicas behind Debian's nginx on loopback, for browser tests and benchmarks.

:func:`replicas_behind_nginx` starts ``count`` ``streamlit run`` processes on one warehouse (the
same cookie secret, as a server's replicas have) and nginx in front of them, rendered from
``nginx.conf.template`` beside this file (the file docs/operations.md shows), in the
foreground, so stopping it is stopping one process. :func:`read_access_log` reads which replica
served each request of each browser (the template's ``exemplar`` log format).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.browser import free_port, streamlit_app, wait_healthy

__all__ = ["NGINX", "TEMPLATE", "nginx_installed", "render_config", "Proxy", "replicas_behind_nginx",
           "Request", "read_access_log"]

NGINX = "/usr/sbin/nginx"  # Debian's package (`make nginx`)
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
START_TIMEOUT_S = 30  # nginx itself starts in milliseconds; the replicas behind it are waited for first
# In the foreground, so the test's process handle is nginx's master. As root, the workers stay root
# too: they write the temp files of uploads under a test's private (0700) folder.
_GLOBALS = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")


def nginx_installed() -> bool:
    """True when Debian's nginx is at ``NGINX``."""
    return Path(NGINX).exists()


def render_config(listen: str, upstreams: list[str], runtime: Path) -> str:
    """The template with its fields filled: ``listen`` (``127.0.0.1:8080``), one ``server`` line
    per upstream (``127.0.0.1:8501``), and the folder for nginx's pid, logs and temp files.

    Raises:
        ValueError: a field of the template was left unfilled.
    """
    fields = {
        "listen": listen,
        "servers": "\n".join(f"        server {upstream};" for upstream in upstreams),
        "runtime": str(runtime),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in fields.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError(f"unfilled field in {TEMPLATE}: {text[text.index('{{'):][:40]}")
    return text


@dataclass(frozen=True)
class Proxy:
    """A running nginx in front of replicas: its URL, the replicas' processes and addresses."""

    url: str
    replicas: dict[str, subprocess.Popen[bytes]]  # "127.0.0.1:PORT" -> its streamlit process
    runtime: Path

    @property
    def access_log(self) -> Path:
        """The log of every request, with the route and the replica that answered it."""
        return self.runtime / "access.log"


@contextlib.contextmanager
def replicas_behind_nginx(warehouse: Path, count: int, runtime: Path) -> Iterator[Proxy]:
    """``count`` app replicas on ``warehouse`` and nginx on a free loopback port in front.

    Yields a :class:`Proxy` once nginx forwards the health check; stops nginx, then the
    replicas, after.

    Raises:
        RuntimeError: a replica or nginx did not start (nginx's error log is in ``runtime``).
    """
    runtime.mkdir(parents=True, exist_ok=True)
    shared = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}  # XSRF tokens valid on every replica
    with contextlib.ExitStack() as stack:
        replicas = {}
        for _ in range(count):
            url, process = stack.enter_context(streamlit_app(warehouse, env=shared))
            replicas[url.removeprefix("http://")] = process
        listen = f"127.0.0.1:{free_port()}"
        config = runtime / "nginx.conf"
        config.write_text(render_config(listen, list(replicas), runtime), encoding="utf-8")
        nginx = subprocess.Popen(
            [NGINX, "-p", str(runtime), "-e", str(runtime / "error.log"), "-c", str(config), "-g", _GLOBALS],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(f"http://{listen}", nginx, START_TIMEOUT_S, what="nginx")
            yield Proxy(f"http://{listen}", replicas, runtime)
        finally:
            nginx.terminate()  # SIGTERM: fast shutdown, the master stops its worker
            try:
                nginx.wait(timeout=15)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()


@dataclass(frozen=True)
class Request:
    """One line of the access log."""

    route: str  # the browser's route cookie (or the one its first response gave it)
    upstream: str  # the replica that answered ("127.0.0.1:PORT"; empty if none did)
    status: int
    request: str  # "GET /_stcore/stream HTTP/1.1"


def read_access_log(path: Path) -> list[Request]:
    """Every request nginx logged, in order (a websocket is logged when it closes)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        route, upstream, status, request = line.split(" ", 3)
        found.append(Request(route, "" if upstream == "-" else upstream, int(status), request.strip('"')))
    return found
