"""A throwaway certificate authority and server certificates, made at test time.

With the `cryptography` package when it is installed (it is a dependency of the app's
stack), else with the `openssl` command; `backend()` names the one available, or None,
and the caller skips. Everything is written under the folder given (a pytest tmp dir):
nothing is ever committed. Keys are EC P-256, valid for a day.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SKIP_REASON = "neither the cryptography package nor the openssl command is available"


@dataclass(frozen=True)
class Ca:
    cert_file: Path  # what a client is given as sslrootcert
    key_file: Path


def backend() -> str | None:
    if importlib.util.find_spec("cryptography") is not None:
        return "cryptography"
    return "openssl" if shutil.which("openssl") else None


def make_ca(folder: Path, name: str) -> Ca:
    """A self-signed CA called `name`, in folder/<slug>-ca.pem and -ca.key."""
    folder.mkdir(parents=True, exist_ok=True)
    slug = "-".join(name.lower().split())
    ca = Ca(folder / f"{slug}-ca.pem", folder / f"{slug}-ca.key")
    if backend() == "cryptography":
        _ca_with_cryptography(ca, name)
    else:
        _openssl(
            "req",
            "-x509",
            *_new_key(ca.key_file),
            "-out",
            str(ca.cert_file),
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        )
    return ca


def server_cert(
    ca: Ca,
    folder: Path,
    *,
    dns: tuple[str, ...] = ("localhost",),
    ips: tuple[str, ...] = ("127.0.0.1",),
) -> tuple[Path, Path]:
    """A server certificate signed by `ca` for those names; returns (cert.pem, key.pem)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    if backend() == "cryptography":
        _server_with_cryptography(ca, cert_file, key_file, dns, ips)
        return cert_file, key_file
    csr, ext = folder / "server.csr", folder / "server.ext"
    san = ",".join([f"DNS:{d}" for d in dns] + [f"IP:{i}" for i in ips])
    ext.write_text(
        f"subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    _openssl("req", "-new", *_new_key(key_file), "-out", str(csr), "-subj", f"/CN={dns[0]}")
    _openssl(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca.cert_file),
        "-CAkey",
        str(ca.key_file),
        "-CAcreateserial",
        "-out",
        str(cert_file),
        "-days",
        "1",
        "-extfile",
        str(ext),
    )
    return cert_file, key_file


def _new_key(key_file: Path) -> list[str]:
    return [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        str(key_file),
    ]


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def _ca_with_cryptography(ca: Ca, name: str) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(ca.cert_file, ca.key_file, cert, key)


def _server_with_cryptography(
    ca: Ca, cert_file: Path, key_file: Path, dns: tuple[str, ...], ips: tuple[str, ...]
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_cert = x509.load_pem_x509_certificate(ca.cert_file.read_bytes())
    ca_key = serialization.load_pem_private_key(ca.key_file.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    _write(cert_file, key_file, cert, key)


def _write(cert_file: Path, key_file: Path, cert: object, key: object) -> None:
    from cryptography.hazmat.primitives import serialization

    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))  # type: ignore[attr-defined]
    key_file.touch(mode=0o600)
    key_file.write_bytes(
        key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
