"""Check the requests our Stripe adapter builds against Stripe's own OpenAPI spec.

The spec (shared/specs/stripe-api-2023-08-16-subset.json, next to the repo, never copied
into it) describes request bodies as JSON schemas, while the wire format is
application/x-www-form-urlencoded with Stripe's deepObject nesting:

    card[number]=4242...&metadata[donation_id]=d1&payment_method_types[0]=card&expand[]=x

`decode_form` turns such a body into nested objects and arrays; `StripeSpec.problems`
then coerces each scalar string to what the schema asks for at that spot (integer, number,
boolean), validates the result with jsonschema against the operation's requestBody schema
(`$ref`s resolved within the file; `additionalProperties: false` rejects unknown
parameters) and checks the headers Stripe needs (Idempotency-Key on every POST).

    spec = stripe_spec()          # loaded once per process; pytest.skip()s if the file is absent
    spec.validate(httpx_request)  # raises SpecViolation listing every problem found
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jsonschema
import referencing
import referencing.jsonschema

SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs"
SPEC_FILE = SPECS / "stripe-api-2023-08-16-subset.json"
SPEC_URI = "urn:tableside:stripe-openapi"
FORM = "application/x-www-form-urlencoded"
MAX_IDEMPOTENCY_KEY = 255  # Stripe's documented limit


class SpecViolation(AssertionError):
    """A request that real Stripe would reject (or that breaks a header rule)."""


class FormError(ValueError):
    """A form body that cannot be decoded into one unambiguous nested value."""


# ---- deepObject form decoding ------------------------------------------------------------

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def split_key(key: str) -> list[str]:
    """'card[number]' -> ['card', 'number']; 'expand[]' -> ['expand', '']."""
    m = _KEY.match(key)
    if not m:
        raise FormError(f"malformed parameter name {key!r}")
    return [m.group(1), *re.findall(r"\[([^\[\]]*)\]", m.group(2))]


class _Append:
    """Marker container for `name[]=a&name[]=b` (array by position of appearance)."""

    def __init__(self) -> None:
        self.items: list[Any] = []


def decode_form(body: bytes | str) -> dict[str, Any]:
    """Decode a form body into nested dicts; `x[0]` stays a dict {'0': ...} until `shape`.

    Raises FormError for a parameter given twice, or given both as a scalar and as a hash.
    """
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    root: dict[str, Any] = {}
    if not text:
        return root
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise FormError(f"not a form body: {exc}") from None
    for key, value in pairs:
        parts = split_key(key)
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, _Append):
                raise FormError(f"{key!r}: cannot nest under an appended array item")
            if part == "":
                # `name[]`: the parent must be an append-array
                raise FormError(f"{key!r}: '[]' must follow a name")
            nxt = parts[i + 1] if not last else None
            if last:
                if part in node:
                    raise FormError(f"parameter {key!r} given more than once")
                node[part] = value
            elif nxt == "":
                if i + 2 != len(parts):
                    raise FormError(f"{key!r}: '[]' must be last")
                existing = node.setdefault(part, _Append())
                if not isinstance(existing, _Append):
                    raise FormError(f"{key!r} mixes '[]' with other forms")
                existing.items.append(value)
                break
            else:
                existing = node.setdefault(part, {})
                if not isinstance(existing, dict):
                    raise FormError(f"{key!r}: '{part}' is given both as a value and a hash")
                node = existing
    return _finish(root)


def _finish(value: Any) -> Any:
    if isinstance(value, _Append):
        return list(value.items)
    if isinstance(value, dict):
        return {k: _finish(v) for k, v in value.items()}
    return value


# ---- the spec ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pointer: str  # JSON pointer to the operation object
    spec: dict[str, Any]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class StripeSpec:
    def __init__(self, path: Path = SPEC_FILE) -> None:
        self.path = path
        self.doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.version = str(self.doc.get("info", {}).get("version", ""))
        resource = referencing.Resource.from_contents(
            self.doc, default_specification=referencing.jsonschema.DRAFT4
        )
        self.registry: referencing.Registry = referencing.Registry().with_resource(
            SPEC_URI, resource
        )
        self._routes: list[tuple[re.Pattern[str], str]] = []
        for template in self.doc["paths"]:
            rx = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template))
            self._routes.append((re.compile(f"^{rx}$"), template))
        # concrete paths first, so /v1/payment_intents/search beats /v1/payment_intents/{intent}
        self._routes.sort(key=lambda r: r[1].count("{"))

    # -- lookup --
    def node(self, pointer: str) -> Any:
        node: Any = self.doc
        for raw in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
            token = raw.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def operation(self, method: str, path: str) -> Operation:
        for rx, template in self._routes:
            if rx.match(path):
                op = self.doc["paths"][template].get(method.lower())
                if op is None:
                    raise SpecViolation(f"{method} {path}: the spec has no such operation")
                return Operation(
                    method.upper(), template, f"/paths/{_escape(template)}/{method.lower()}", op
                )
        raise SpecViolation(f"{method} {path}: no such path in the spec")

    @functools.cache  # noqa: B019 - one spec per process, kept for the session
    def validator(self, pointer: str) -> jsonschema.protocols.Validator:
        return jsonschema.Draft4Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry)

    def _deref(self, pointer: str) -> tuple[str, dict[str, Any]]:
        schema = self.node(pointer)
        seen = set()
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#") or ref in seen:
                raise SpecViolation(f"unsupported $ref {ref!r}")
            seen.add(ref)
            pointer = ref[1:]
            schema = self.node(pointer)
        return pointer, schema

    # -- coercion of form strings to the schema's types --
    def shape(self, value: Any, pointer: str) -> Any:
        """Coerce strings and index-keyed hashes to the types the schema at `pointer` wants."""
        pointer, schema = self._deref(pointer)
        if not isinstance(schema, dict):
            return value
        for combo in ("anyOf", "oneOf"):
            if combo in schema:
                best: tuple[int, Any] | None = None
                for i in range(len(schema[combo])):
                    sub = f"{pointer}/{combo}/{i}"
                    candidate = self.shape(value, sub)
                    errors = sum(1 for _ in self.validator(sub).iter_errors(candidate))
                    if errors == 0:
                        return candidate
                    if best is None or errors < best[0]:
                        best = (errors, candidate)
                return best[1] if best else value  # the nearest form; validation reports it
        if "allOf" in schema:
            for i in range(len(schema["allOf"])):
                value = self.shape(value, f"{pointer}/allOf/{i}")
            return value
        kind = schema.get("type")
        if kind is None and "properties" in schema:
            kind = "object"
        if kind == "array":
            if isinstance(value, dict) and value and all(k.isdigit() for k in value):
                indexes = sorted(int(k) for k in value)
                if indexes != list(range(len(indexes))):
                    return value  # gaps: leave as a hash, validation fails
                value = [value[str(i)] for i in indexes]
            if isinstance(value, list) and "items" in schema:
                return [self.shape(v, f"{pointer}/items") for v in value]
            return value
        if kind == "object" and isinstance(value, dict):
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            out = {}
            for k, v in value.items():
                if k in props:
                    out[k] = self.shape(v, f"{pointer}/properties/{_escape(k)}")
                elif isinstance(extra, dict):
                    out[k] = self.shape(v, f"{pointer}/additionalProperties")
                else:
                    out[k] = v
            return out
        if isinstance(value, str):
            if kind == "integer" and re.fullmatch(r"-?\d+", value):
                return int(value)
            if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", value):
                return float(value)
            if kind == "boolean" and value in ("true", "false"):
                return value == "true"
        return value

    # -- checks --
    def problems(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str = b""
    ) -> list[str]:
        """Every reason Stripe (per this spec) would refuse the request; empty when fine."""
        path = urlsplit(url).path or "/"
        try:
            op = self.operation(method, path)
        except SpecViolation as exc:
            return [str(exc)]
        found: list[str] = []
        lower = {k.lower(): v for k, v in headers.items()}
        found += self._header_problems(op, lower, body)
        if op.method == "POST":
            found += self._body_problems(op, lower, body)
        else:
            found += self._query_problems(op, url)
        return [f"{op.method} {path}: {p}" for p in found]

    def validate(self, request: httpx.Request) -> dict[str, Any]:
        """Raise SpecViolation unless the request conforms; return the decoded body."""
        body = request.read()
        found = self.problems(request.method, str(request.url), request.headers, body)
        if found:
            raise SpecViolation("\n".join(found))
        return self.decoded(request.method, request.url.path, body)

    def decoded(self, method: str, path: str, body: bytes | str) -> dict[str, Any]:
        """The body as the typed nested value Stripe sees (after coercion)."""
        op = self.operation(method, path)
        return self.shape(decode_form(body), self._body_schema_pointer(op))

    def _body_schema_pointer(self, op: Operation) -> str:
        return f"{op.pointer}/requestBody/content/{_escape(FORM)}/schema"

    def _header_problems(self, op: Operation, h: Mapping[str, str], body: bytes | str) -> list[str]:
        found = []
        auth = h.get("authorization", "")
        schemes = {
            name: self.doc["components"]["securitySchemes"][name]["scheme"].lower()
            for req in self.doc.get("security", [])
            for name in req
        }
        if not any(auth.lower().startswith(s + " ") for s in schemes.values()):
            found.append(f"Authorization must use one of {sorted(schemes.values())}")
        version = h.get("stripe-version")
        if version is not None and version != self.version:
            found.append(f"Stripe-Version {version!r} is not the spec's {self.version!r}")
        if op.method == "POST":
            key = h.get("idempotency-key", "")
            if not key.strip():
                found.append("Idempotency-Key header is missing")
            elif len(key) > MAX_IDEMPOTENCY_KEY:
                found.append(f"Idempotency-Key longer than {MAX_IDEMPOTENCY_KEY} characters")
            if body and h.get("content-type", "").split(";")[0].strip().lower() != FORM:
                found.append(f"Content-Type must be {FORM}, not {h.get('content-type')!r}")
        return found

    def _body_problems(self, op: Operation, h: Mapping[str, str], body: bytes | str) -> list[str]:
        rb = op.spec.get("requestBody")
        if rb is None:
            return ["the operation takes no body"] if body else []
        if FORM not in rb.get("content", {}):
            return [f"the operation does not take {FORM}"]
        try:
            raw = decode_form(body)
        except (FormError, UnicodeDecodeError) as exc:
            return [f"body: {exc}"]
        if not raw and rb.get("required"):
            return ["a request body is required"]
        pointer = self._body_schema_pointer(op)
        value = self.shape(raw, pointer)
        found = [
            f"body{_where(err.absolute_path)}: {_brief(err)}"
            for err in sorted(
                self.validator(pointer).iter_errors(value), key=lambda e: list(e.absolute_path)
            )
        ]
        return found + self._unknown_nested(value, pointer, "body")

    def _unknown_nested(self, value: Any, pointer: str, where: str) -> list[str]:
        """Unknown keys inside hashes whose schema lists properties but is silent on others.

        Stripe answers any unknown parameter, at any depth, with "Received unknown
        parameter"; its spec says `additionalProperties: false` only at the top level (that
        part jsonschema checks), so a nested hash with declared properties counts as closed.
        """
        pointer, schema = self._deref(pointer)
        if not isinstance(schema, dict):
            return []
        for combo in ("anyOf", "oneOf"):
            if combo in schema:
                for i in range(len(schema[combo])):
                    sub = f"{pointer}/{combo}/{i}"
                    if self.validator(sub).is_valid(value):
                        return self._unknown_nested(value, sub, where)
                return []  # jsonschema already reports the mismatch
        found: list[str] = []
        if isinstance(value, dict):
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for k, v in value.items():
                if k in props:
                    sub = f"{pointer}/properties/{_escape(k)}"
                    found += self._unknown_nested(v, sub, f"{where}[{k}]")
                elif isinstance(extra, dict):
                    sub = f"{pointer}/additionalProperties"
                    found += self._unknown_nested(v, sub, f"{where}[{k}]")
                elif extra is None and props:
                    found.append(f"{where}: unknown parameter {k!r}")
        elif isinstance(value, list) and "items" in schema:
            for i, v in enumerate(value):
                found += self._unknown_nested(v, f"{pointer}/items", f"{where}[{i}]")
        return found

    def _query_problems(self, op: Operation, url: str) -> list[str]:
        query = urlsplit(url).query
        if not query:
            return []
        known = {p["name"] for p in op.spec.get("parameters", []) if p.get("in") == "query"}
        try:
            names = {split_key(k)[0] for k, _ in parse_qsl(query, keep_blank_values=True)}
        except FormError as exc:
            return [f"query: {exc}"]
        return [f"unknown query parameter {n!r}" for n in sorted(names - known)]


def _where(path: Any) -> str:
    return "".join(f"[{p}]" for p in path)


def _brief(err: jsonschema.ValidationError) -> str:
    """The error without echoing the offending value (it may be a card number)."""
    if err.validator == "additionalProperties":
        return err.message  # names the unexpected parameters, not their values
    if err.validator in ("type", "enum", "maxLength", "minLength", "pattern", "format"):
        return f"fails '{err.validator}': {err.validator_value!r}"[:200]
    if err.validator == "required":
        return err.message
    if err.validator in ("anyOf", "oneOf") and err.context:
        forms: dict[int, list[str]] = {}
        for sub in err.context:
            forms.setdefault(sub.schema_path[0], []).append(f"{_where(sub.path)} {_brief(sub)}")
        why = "; ".join(f"form {i}: {', '.join(v)}" for i, v in sorted(forms.items()))
        return f"matches none of its {err.validator} forms ({why})"
    return f"fails '{err.validator}'"


@functools.lru_cache(maxsize=1)
def _load(path: Path) -> StripeSpec:
    return StripeSpec(path)


def stripe_spec() -> StripeSpec:
    """The spec, loaded once per process. Skips the calling test when the file is absent."""
    if not SPEC_FILE.is_file():
        import pytest

        pytest.skip(
            f"Stripe OpenAPI spec not found at {SPEC_FILE}; it lives in shared/specs next to "
            "the repo and is not copied into it"
        )
    return _load(SPEC_FILE)
