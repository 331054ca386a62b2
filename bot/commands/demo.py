"""Placeholder: filled in by the demo."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """No commands yet."""
