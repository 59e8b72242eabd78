"""The assessment itself, as frozen records and pure rules: the models, the site settings'
schema, scoring (subtotals, grades, ranks), the one check of an indicator's score, corrections,
the published facts they change (`facts`: a fact's typed key), objections and the publication
phase, and what a reader sees first of a result. No file is read or written here.

May import: `errors`, `common`."""
