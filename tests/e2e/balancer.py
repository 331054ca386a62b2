"""A real load balancer for the replica tests: nginx from the OS packages, round robin.

When nginx is missing and the tests run as root on a Debian/Ubuntu machine (CI), it is installed
with apt-get; otherwise the test is skipped with the reason (failed under CI=true).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from tests.e2e.helpers import free_port

_CONFIG = """\
worker_processes 1;
{user}
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream replicas {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://replicas;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
    )
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "nginx-light"],
            check=False,
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None
        )
        if found:
            return found
    reason = "nginx is not installed (apt-get install nginx-light) and could not be installed here"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the replica test must run)", pytrace=False)
    pytest.skip(reason)


@contextlib.asynccontextmanager
async def load_balancer(backends: Sequence[int], workdir: Path) -> AsyncIterator[int]:
    """nginx on a free port, round robin over ``127.0.0.1:<backend>``; yields its port."""
    binary = nginx_binary()
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a few bytes, once
    config = workdir / "nginx.conf"
    config.write_text(
        _CONFIG.format(
            user="user root;" if os.geteuid() == 0 else "",
            dir=workdir,
            port=port,
            servers="\n".join(f"        server 127.0.0.1:{b};" for b in backends),
        )
    )
    process = await asyncio.create_subprocess_exec(
        binary, "-p", str(workdir), "-c", str(config), stderr=asyncio.subprocess.PIPE
    )
    try:
        async with asyncio.timeout(10):
            while True:  # until nginx accepts connections
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    if process.returncode is not None:
                        error = (workdir / "error.log").read_text(errors="replace")
                        raise RuntimeError(f"nginx did not start: {error}") from None
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                await writer.wait_closed()
                break
        yield port
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
