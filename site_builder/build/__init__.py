"""The build: the flow that reads everything, then writes (`flow`), the renderer of every
output (`generate`), the registry of data files (`datafiles`) and the worker processes.

May import: everything below it, up to `record`."""
