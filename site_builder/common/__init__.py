"""What every layer uses and that knows nothing of the assessment: how values are written
(`formats`), the checks every incoming text passes (`textcheck`), pieces of message wording
(`messages`), URL shapes (`urls`), the bound on numbers in data files (`numbers`), YAML reading
with exact decimals (`yamlio`, its fast path `fastyaml`, its error hints `yamlhints`), and work
spread over forked processes (`processes`).

May import: `site_builder.errors` only."""
