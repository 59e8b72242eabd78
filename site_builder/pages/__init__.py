"""The web pages: the Jinja environment, each page's template and context (`specs`), the page
metadata, the rows shared by institution pages, the statistics the pages show, the search index.

May import: `errors`, `common`, `domain`, `storage`, `read`, `sheets`."""
