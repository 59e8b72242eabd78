"""The other commands as library calls: `serve` (local preview), `verify` (is a copy of the
site what the data and the ledger say?), `workbooks` (the `workbook` and `import` commands) and
`synth` (synthetic data). They raise domain errors; the CLI turns them into messages.

May import: everything below it, up to `build`."""
