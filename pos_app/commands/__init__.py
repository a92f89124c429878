"""`pos-app` subcommands for IT and event leads; plain text out, exit codes for scripts."""
