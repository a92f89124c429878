"""Change a few keys of the config file in place, keeping everything else as IT wrote it.

`pos-app reader use` writes `[payments] reader` (and the provider) here. Only plain
`key = "value"` lines of one table are touched: comments, order and the other tables stay
byte for byte. The new text must load as a valid config (settings.load_settings) before
it replaces the file, and it replaces it atomically (a temporary file in the same folder,
then a rename, the old file's permissions kept), so a crash or a full disk leaves the old
file or the new one, never half of each. Anything this can't edit safely (an inline
`payments = {...}` table, dotted `payments.reader` keys) is refused with the line to
change by hand.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path

from .settings import ConfigError, load_settings

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
# `key = "value"  # comment` on one line: the comment is kept when the value changes
_KEY_LINE = re.compile(
    r"""^(?P<indent>\s*)(?P<key>[A-Za-z0-9_-]+)\s*=\s*"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\s#]*)(?P<comment>\s*#.*)?$"""
)


class ConfigEditError(RuntimeError):
    """The file can't be changed; the message says why and what to do instead."""


def set_keys(path: Path, table: str, values: Mapping[str, str]) -> None:
    """Set `[table] key = "value"` for each of `values` in the config file at `path`."""
    try:
        old = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigEditError(f"Can't read {path}: {exc.strerror or exc}.") from None
    new = edited(old, table, values)
    _check(new, table, values, path)
    _replace(path, new)


def edited(text: str, table: str, values: Mapping[str, str]) -> str:
    """The text with the keys set (pure: no file touched)."""
    by_hand = "; ".join(f"{k} = {_quote(v)}" for k, v in values.items())
    if re.search(rf"^\s*{re.escape(table)}\s*(=|\.)", text, re.MULTILINE):
        raise ConfigEditError(
            f"The config sets [{table}] in a form this can't edit (an inline or dotted "
            f"table). Put this under [{table}] by hand: {by_hand}"
        )
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _header(line) == table), None)
    if start is None:
        tail = "" if not text or text.endswith("\n") else "\n"
        body = "".join(f"{k} = {_quote(v)}\n" for k, v in values.items())
        return f"{text}{tail}\n[{table}]\n{body}"
    end = next((i for i in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[i])), len(lines))
    missing = dict(values)
    for i in range(start + 1, end):
        m = _KEY_LINE.match(lines[i].rstrip("\r\n"))
        if m and m.group("key") in missing:
            newline = lines[i][len(lines[i].rstrip("\r\n")) :]
            comment = m.group("comment") or ""
            value = _quote(missing.pop(m.group("key")))
            lines[i] = f"{m.group('indent')}{m.group('key')} = {value}{comment}{newline}"
    last = end
    while last > start + 1 and not lines[last - 1].strip():
        last -= 1  # new keys go after the table's last line, before its blank lines
    if last and not lines[last - 1].endswith("\n"):
        lines[last - 1] += "\n"
    lines[last:last] = [f"{k} = {_quote(v)}\n" for k, v in missing.items()]
    return "".join(lines)


def _header(line: str) -> str | None:
    m = _HEADER.match(line)
    return m.group(1) if m else None


def _quote(value: str) -> str:
    # JSON's string escapes are valid in a TOML basic string
    return json.dumps(value, ensure_ascii=False)


def _check(new: str, table: str, values: Mapping[str, str], path: Path) -> None:
    """The new text says what was meant, and Tableside would start with it."""
    try:
        raw = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigEditError(f"Editing {path} would make it invalid TOML ({exc}).") from None
    got = raw.get(table, {})
    if any(got.get(k) != v for k, v in values.items()):
        raise ConfigEditError(f"Couldn't edit {path} safely; set these under [{table}] by hand.")
    fd, tmp = tempfile.mkstemp(prefix=".check-", suffix=".toml", dir=_temp_dir(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new)
        load_settings(tmp)
    except ConfigError as exc:
        raise ConfigEditError(str(exc).replace(tmp, str(path))) from None
    finally:
        os.unlink(tmp)


def _temp_dir(path: Path) -> str | None:
    return str(path.parent) if os.access(path.parent, os.W_OK) else None


def _replace(path: Path, new: str) -> None:
    try:
        mode = path.stat().st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ConfigEditError(
            f"Can't write {path}: {exc.strerror or exc}. Run this as a user who may change "
            "that file, or point --config at one you can."
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigEditError(
            f"Can't write {path}: {exc.strerror or exc}. The file is unchanged."
        ) from None
