"""The build: the flow that checks the output folder, reads everything, then writes and swaps it in
(`flow`; publishing is a step of it), where inputs and output live (`layout`), reading and checking
a project (`validate`), what one build keeps while it runs (`context`), the renderer of every output
(`generate`), the registry of data files (`datafiles`) and the progress line (`progress`).

May import: everything below it, up to `record`."""
