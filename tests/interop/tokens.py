"""JWT interop helper for keyward's tests (PyJWT, run in venv-modern).

Run as `<venv-modern>/bin/python tests/interop/tokens.py`. Reads one JSON
object on stdin and writes one JSON object on stdout:

    in:  {"encode": [{"alg": A, "key": K, "headers": {...}, "claims": {...}}, ...],
          "decode": [{"token": T, "alg": A, "key": K,
                      "audience": "..." (optional), "issuer": "..." (optional)}, ...]}
    out: {"encoded": [T | {"error": "Type: msg"}, ...],
          "decoded": [{"header": {...}, "claims": {...}} | {"error": "Type: msg"}, ...]}

alg is one of HS256, HS384, HS512, RS256, PS256, ES256, EdDSA. For HS* the
key is the secret's bytes in standard base64; otherwise it is PEM text (a
private key to encode, a public key to decode), which PyJWT loads itself
through `cryptography` (installed by the PyJWT[crypto] extra, which all the
non-HMAC algorithms, EdDSA and PS256 included, need).

Results are in input order; every failure becomes an {"error": ...} item.
PyJWT warns on stderr (InsecureKeyLengthWarning) about HMAC secrets shorter
than the hash output; stdout carries only the JSON answer.
"""

import base64
import json
import sys

import jwt

# Decoding always demands these claims, as keyward's own tokens carry them.
REQUIRED_CLAIMS = ["exp", "iat", "sub"]


def load_key(alg, key):
    if alg.startswith("HS"):
        # HMAC secrets are arbitrary bytes, so they travel base64-encoded.
        return base64.b64decode(key, validate=True)
    return key


def encode(item):
    return jwt.encode(
        item["claims"],
        load_key(item["alg"], item["key"]),
        algorithm=item["alg"],
        headers=item.get("headers") or None,
    )


def decode(item):
    token, alg = item["token"], item["alg"]
    claims = jwt.decode(
        token,
        load_key(alg, item["key"]),
        # Exactly one algorithm: the test says which one it expects.
        algorithms=[alg],
        audience=item.get("audience"),
        issuer=item.get("issuer"),
        options={"require": REQUIRED_CLAIMS},
    )
    # Only read once the signature and claims have been verified above.
    return {"header": jwt.get_unverified_header(token), "claims": claims}


def run(func, item):
    try:
        return func(item)
    except Exception as exc:  # noqa: BLE001 - reporting errors is the point
        return {"error": f"{type(exc).__name__}: {exc}"}


def main():
    request = json.load(sys.stdin)
    response = {
        "encoded": [run(encode, item) for item in request.get("encode", [])],
        "decoded": [run(decode, item) for item in request.get("decode", [])],
    }
    json.dump(response, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
