"""The command line: the Chinese argument parser and `main`, which calls the library and turns
its errors into `错误：…` and exit status 1. The only place that prints and exits.

May import: everything."""
