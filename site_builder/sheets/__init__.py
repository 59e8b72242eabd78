"""Spreadsheets: the experts' scoring workbook (written from the rubric, read back when filled)
and deterministic .xlsx bytes for the open data.

May import: `errors`, `common`, `domain`, `storage`, `read`."""
