"""The HTTP API's routes, one module per resource (CONTRACTS §6 and the paths added beside it)."""
