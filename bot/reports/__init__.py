"""The support lead's reports: charts (matplotlib) and the self-contained HTML page."""
