"""What the tool keeps on disk and how it is trusted.

The output: `writer` (every file through one writer, into a staging folder), `swap` (the staging
folder swapped in at once, with the files written alongside; crash recovery), `outdir` (which
folders may be replaced), `locks`, `discard` (removing the replaced site), `files` (durable file
operations). The cache: `sealed` (the cache folder and the key its files are sealed with), `hashes`
(what cache keys are made of), `pagecache` (pages and data files by key), `sheetcache` and `records`
(validated sheets as plain data; their item scores kept compact until read), `stamp` (nothing changed
since the last build).

May import: `errors`, `common`, `domain`."""
