"""Reading a project: the data files (rubric, roster, status, score sheets, corrections,
objections), the site settings and the Markdown pages, each checked completely into the domain's
records, every problem reported with file, institution and indicator.

May import: `errors`, `common`, `domain`, `storage`."""
