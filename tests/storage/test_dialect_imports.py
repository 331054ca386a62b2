"""The PostgreSQL dialect is imported by a PostgreSQL engine only: a bot on SQLite does not
pay for it (about 2 MB and a tenth of a second of CPU), and the schema is the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from storage.tables import CustomerRow

ROOT = Path(__file__).resolve().parents[2]


def test_storage_on_sqlite_does_not_import_the_postgresql_dialect() -> None:
    code = (
        "import sys\n"
        "from storage import Database\n"
        "import storage.repositories, storage.tables\n"
        "Database.connect('sqlite+aiosqlite:///:memory:')\n"
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.postgresql')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"


def test_the_state_column_is_jsonb_on_postgresql_and_json_on_sqlite() -> None:
    table = CustomerRow.__table__
    assert "state JSONB NOT NULL" in str(CreateTable(table).compile(dialect=postgresql.dialect()))
    assert "state JSON NOT NULL" in str(CreateTable(table).compile(dialect=sqlite.dialect()))
