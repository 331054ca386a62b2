"""Placeholder: filled in by the issue that builds these commands."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: "argparse._SubParsersAction[Any]") -> None:
    """No commands yet."""
