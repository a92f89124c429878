"""One file per job kind; each registers itself (jobs/registry.py lists the built-ins)."""
