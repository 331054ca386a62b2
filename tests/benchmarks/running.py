"""Running a benchmark script as its users do, and reading the figures it prints last."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(script: str, *args: str, timeout: float = 300) -> dict[str, Any]:
    """``benchmarks/<script> --json <args>`` from the repository's root: its last line of JSON;
    a non-zero exit fails with the end of its stderr."""
    command = [sys.executable, str(ROOT / "benchmarks" / script), "--json", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures
