"""Tableside: a point-of-sale app for in-person fundraising events."""

__version__ = "0.1.0"
