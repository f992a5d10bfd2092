"""Password-hash interop helper for keyward's tests.

Run as `<venv>/bin/python tests/interop/passwords.py`. Reads one JSON object
on stdin and writes one JSON object on stdout:

    in:  {"make":  [{"scheme": S, "password_b64": B64, "rounds": N}, ...],
          "check": [{"scheme": S, "password_b64": B64, "hash": H}, ...]}
    out: {"made":    [H | {"error": "Type: msg"}, ...],
          "checked": [true | false | {"error": "Type: msg"}, ...]}

Results are in input order. Every failure, including a scheme whose library
is not installed in this venv, becomes an {"error": ...} item, so one call
can probe what a library accepts and rejects.

Passwords are raw bytes (standard base64 on the wire) and are handed to the
libraries as bytes: they may be non-UTF-8, contain NUL, or exceed 72 bytes.

Schemes:
  pyca-bcrypt               bcrypt.hashpw / bcrypt.checkpw       (venv-modern or venv-passlib)
  passlib-bcrypt            passlib.hash.bcrypt                  (venv-passlib)
  passlib-bcrypt-sha256     passlib.hash.bcrypt_sha256, v2       (venv-passlib)
  passlib-bcrypt-sha256-v1  passlib.hash.bcrypt_sha256, v1       (venv-passlib)
  django-bcrypt-sha256      Django's BCryptSHA256PasswordHasher,
                            reimplemented on pyca bcrypt         (either venv)
"""

import base64
import binascii
import hashlib
import hmac
import json
import sys


def pyca_make(pw, rounds):
    import bcrypt

    return bcrypt.hashpw(pw, bcrypt.gensalt(rounds)).decode("ascii")


def pyca_check(pw, hash_):
    import bcrypt

    return bcrypt.checkpw(pw, hash_.encode("utf-8"))


def passlib_bcrypt_make(pw, rounds):
    from passlib.hash import bcrypt

    return bcrypt.using(rounds=rounds).hash(pw)


def passlib_bcrypt_check(pw, hash_):
    from passlib.hash import bcrypt

    return bcrypt.verify(pw, hash_)


def passlib_sha256_make(pw, rounds, version=2):
    from passlib.hash import bcrypt_sha256

    return bcrypt_sha256.using(version=version, rounds=rounds).hash(pw)


def passlib_sha256_check(pw, hash_):
    # One verifier for both schemes: passlib picks v1 or v2 from the hash text.
    from passlib.hash import bcrypt_sha256

    return bcrypt_sha256.verify(pw, hash_)


# Django's BCryptSHA256PasswordHasher, reproduced without installing Django.
# Source: github.com/django/django, django/contrib/auth/hashers.py
# (commit 76ae6ccf859bf677bfcb5b992f4c17f5af80ae9d), class
# BCryptSHA256PasswordHasher:
#     encode(): password = password.encode()
#               password = binascii.hexlify(self.digest(password).digest())  # sha256
#               data = bcrypt.hashpw(password, salt)   # salt = bcrypt.gensalt(rounds)
#               return "%s$%s" % (self.algorithm, data.decode('ascii'))
#     verify(): algorithm, data = encoded.split('$', 1)
#               encoded_2 = self.encode(password, data.encode('ascii'))
#               return constant_time_compare(encoded, encoded_2)
# Django takes str and UTF-8-encodes it; we are given the bytes directly,
# which is the same thing for UTF-8 input (Django cannot see non-UTF-8 bytes).
# The 64-char lowercase hex digest fits under bcrypt's 72-byte limit.
DJANGO_PREFIX = "bcrypt_sha256$"


def _django_encode(pw, salt):
    import bcrypt

    prehashed = binascii.hexlify(hashlib.sha256(pw).digest())
    return DJANGO_PREFIX + bcrypt.hashpw(prehashed, salt).decode("ascii")


def django_make(pw, rounds):
    import bcrypt

    return _django_encode(pw, bcrypt.gensalt(rounds))


def django_check(pw, encoded):
    algorithm, data = encoded.split("$", 1)
    # Django asserts here; an error item is more useful to a test than False.
    if algorithm != "bcrypt_sha256":
        raise ValueError(f"not a Django bcrypt_sha256 hash: {algorithm!r}")
    encoded_2 = _django_encode(pw, data.encode("ascii"))
    # django.utils.crypto.constant_time_compare is hmac.compare_digest on bytes.
    return hmac.compare_digest(encoded.encode(), encoded_2.encode())


SCHEMES = {
    # name: (make(pw, rounds) -> str, check(pw, hash) -> bool)
    "pyca-bcrypt": (pyca_make, pyca_check),
    "passlib-bcrypt": (passlib_bcrypt_make, passlib_bcrypt_check),
    "passlib-bcrypt-sha256": (passlib_sha256_make, passlib_sha256_check),
    "passlib-bcrypt-sha256-v1": (
        lambda pw, rounds: passlib_sha256_make(pw, rounds, version=1),
        passlib_sha256_check,
    ),
    "django-bcrypt-sha256": (django_make, django_check),
}


def error(exc):
    return {"error": f"{type(exc).__name__}: {exc}"}


def run(item, op):
    """Run one make (op=0) or check (op=1) item; any failure is reported, not raised."""
    try:
        funcs = SCHEMES.get(item["scheme"])
        if funcs is None:
            raise ValueError(f"unknown scheme {item['scheme']!r}")
        pw = base64.b64decode(item["password_b64"], validate=True)
        arg = item["rounds"] if op == 0 else item["hash"]
        # Libraries are imported inside the scheme functions, so a scheme
        # whose library is missing from this venv fails here, per item.
        return funcs[op](pw, arg)
    except Exception as exc:  # noqa: BLE001 - reporting errors is the point
        return error(exc)


def main():
    request = json.load(sys.stdin)
    response = {
        "made": [run(item, 0) for item in request.get("make", [])],
        "checked": [run(item, 1) for item in request.get("check", [])],
    }
    json.dump(response, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
