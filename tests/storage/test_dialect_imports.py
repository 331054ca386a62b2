"""The PostgreSQL dialect is imported by a PostgreSQL engine only: a bot on SQLite does not
pay for it (about 2 MB and a tenth of a second of CPU), and the schema is the same."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from storage.tables import CustomerRow
from tests.fresh_python import run_python


def test_storage_on_sqlite_does_not_import_the_postgresql_dialect() -> None:
    code = (
        "import json, sys\n"
        "from storage import Database\n"
        "import storage.repositories, storage.tables\n"
        "Database.connect('sqlite+aiosqlite:///:memory:')\n"
        "dialect = 'sqlalchemy.dialects.postgresql'\n"
        "print(json.dumps([m for m in sys.modules if m.startswith(dialect)]))\n"
    )
    assert run_python(code)[0] == []


def test_the_state_column_is_jsonb_on_postgresql_and_json_on_sqlite() -> None:
    table = CustomerRow.__table__
    assert "state JSONB NOT NULL" in str(CreateTable(table).compile(dialect=postgresql.dialect()))
    assert "state JSON NOT NULL" in str(CreateTable(table).compile(dialect=sqlite.dialect()))
