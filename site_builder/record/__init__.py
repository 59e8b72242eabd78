"""The publication record: the hash-chained ledger of every publication of a year (`ledger`: the
document and its hashes), its shape (`shape`, JSON Schemas), reading it and checking its chain
(`chain`), what it records (`state`: one value per published fact), the data checked against it
(`reconcile`), the previous publication checked against it (`previous`), a new entry made by
`build --publish` (`publishing`), and the bridge from the older `published.json` (`legacy`).

May import: everything below it, up to `publish`."""
