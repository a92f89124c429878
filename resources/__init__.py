"""Static resources: stylesheet, receipt templates, icons."""

from pathlib import Path

RESOURCES = Path(__file__).parent
