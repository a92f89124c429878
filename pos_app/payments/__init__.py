"""Processor adapters behind one protocol (base.py), one file per processor, each
registering itself with registry.py: simulator (training mode), stripe, stripe_terminal."""
