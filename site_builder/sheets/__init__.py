"""Spreadsheets: the experts' scoring workbook (written from the rubric with XlsxWriter, read back
with openpyxl when filled) and the XlsxWriter helpers that give the same bytes for the same data.

May import: `errors`, `common`, `domain`, `storage`, `read`."""
