"""The publication record: the hash-chained ledger of every publication of a year, and the
bridge from the older `published.json`.

May import: everything below it, up to `publish`."""
