"""A real headless Chromium (Debian's ``chromium`` package) opening a local page: its DOM after
scripts ran, every console message, and a screenshot."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)


def chromium() -> str:
    """The browser's path; installs the Debian package when missing and possible. Skips with a
    reason when it cannot be had, except under CI=true, where that fails the test."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        for command in (["apt-get", "install", "-y", "chromium"], ["apt-get", "update"]):
            subprocess.run(command, capture_output=True, timeout=900, check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "chromium"], capture_output=True, timeout=900, check=False
        )
        found = shutil.which("chromium")
    if found is None:
        reason = "Debian's chromium is not installed and apt-get could not install it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (required under CI=true)")
        pytest.skip(reason)
    return found


@dataclass(frozen=True)
class Opened:
    dom: str
    console: list[str]  # one line per console message or uncaught error
    screenshot: Path


def open_page(page: Path, workdir: Path, *, width: int = 1280, height: int = 2600) -> Opened:
    browser = chromium()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        profile = workdir / f"profile-{len(list(workdir.glob('profile-*')))}"
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=workdir,
        )

    dumped = run("--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    shot = workdir / "page.png"
    drawn = run(f"--screenshot={shot}", f"--window-size={width},{height}")
    assert drawn.returncode == 0, drawn.stderr[-2000:]
    console = [line for line in (dumped.stderr + drawn.stderr).splitlines() if ":CONSOLE" in line]
    return Opened(dom=dumped.stdout, console=console, screenshot=shot)
