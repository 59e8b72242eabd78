"""What the tool keeps on disk and how it is trusted: the one writer (staging folder, atomic
swap, locks), the cache of pages and parsed sheets, and the up-to-date stamp.

May import: `errors`, `common`, `domain`."""
