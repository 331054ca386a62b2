"""Code run in a fresh interpreter at the project's root, for what only a new process shows: the
modules an import pulls in, what a start leaves on disk for the next one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, *, timeout: float = 300) -> tuple[Any, str]:
    """The last line ``code`` printed, read as JSON, and what it wrote to stderr; an exit code
    other than 0 fails with ``CalledProcessError``."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.splitlines()[-1]), done.stderr
