"""Processor adapters behind one protocol: `simulator` (training mode) and `stripe`."""
