"""What leaves the site for other systems: open-data exports (the indicator statistics in
`indicators`), the RSS feed, the WeChat article, the CMS package, sitemap and robots.txt, and the
privacy scan of what is published.

May import: everything below it (`errors`, `common`, `domain`, `storage`, `read`, `sheets`, `pages`)."""
