"""Argon2 interop helper for keyward's tests (run in venv-argon2).

Reads one JSON object on stdin and writes one JSON object on stdout, like
passwords.py:

    in:  {"make":  [{"scheme": S, "password_b64": B64}, ...],
          "check": [{"scheme": S, "password_b64": B64, "hash": H}, ...]}
    out: {"made":    [H | {"error": "Type: msg"}, ...],
          "checked": [true | false | {"error": "Type: msg"}, ...],
          "versions": {package: version}}

Schemes, each with the library's own defaults unless said otherwise:
  argon2-cffi     argon2.PasswordHasher() (RFC 9106 low-memory profile:
                  m=65536, t=3, p=4)
  pwdlib          pwdlib.PasswordHash.recommended() (Argon2Hasher on argon2-cffi)
  passlib-argon2  passlib.hash.argon2, set to OWASP's minimum (m=19456, t=2,
                  p=1, type ID): passlib's own default is 512 KiB
  django-argon2   Django's Argon2PasswordHasher, rebuilt without Django:
                  "argon2" + argon2.low_level.hash_secret(...) with Django's
                  parameters (m=102400, t=2, p=8, Type.ID), verified as
                  Django does: split on the first "$", verify "$" + rest.
"""

import base64
import importlib.metadata
import json
import secrets
import string
import sys


def cffi_make(pw):
    import argon2

    return argon2.PasswordHasher().hash(pw)


def cffi_check(pw, hash_):
    import argon2

    try:
        return argon2.PasswordHasher().verify(hash_, pw)
    except argon2.exceptions.VerifyMismatchError:
        return False


def pwdlib_make(pw):
    from pwdlib import PasswordHash

    return PasswordHash.recommended().hash(pw)


def pwdlib_check(pw, hash_):
    from pwdlib import PasswordHash

    return PasswordHash.recommended().verify(pw, hash_)


def passlib_make(pw):
    from passlib.hash import argon2

    return argon2.using(
        type="ID", memory_cost=19456, rounds=2, parallelism=1
    ).hash(pw)


def passlib_check(pw, hash_):
    from passlib.hash import argon2

    return argon2.verify(pw, hash_)


# Django's Argon2PasswordHasher, reproduced without installing Django.
# Source: django/contrib/auth/hashers.py (main), class Argon2PasswordHasher:
#     algorithm = "argon2"; time_cost = 2; memory_cost = 102400; parallelism = 8
#     encode(): data = argon2.low_level.hash_secret(password.encode(),
#                   salt.encode(), time_cost=..., memory_cost=..., parallelism=...,
#                   hash_len=params.hash_len, type=params.type)   # Type.ID
#               return self.algorithm + data.decode("ascii")
#     verify(): algorithm, rest = encoded.split("$", 1)
#               argon2.PasswordHasher().verify("$" + rest, password)
# Django's salt is a random alphanumeric string (get_random_string), used as
# its ASCII bytes.
def django_make(pw):
    from argon2 import DEFAULT_HASH_LENGTH
    from argon2.low_level import Type, hash_secret

    alphabet = string.ascii_letters + string.digits
    salt = "".join(secrets.choice(alphabet) for _ in range(22))
    data = hash_secret(
        pw,
        salt.encode(),
        time_cost=2,
        memory_cost=102400,
        parallelism=8,
        hash_len=DEFAULT_HASH_LENGTH,
        type=Type.ID,
    )
    return "argon2" + data.decode("ascii")


def django_check(pw, encoded):
    import argon2

    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    try:
        return argon2.PasswordHasher().verify("$" + rest, pw)
    except argon2.exceptions.VerificationError:
        return False


SCHEMES = {
    "argon2-cffi": (cffi_make, cffi_check),
    "pwdlib": (pwdlib_make, pwdlib_check),
    "passlib-argon2": (passlib_make, passlib_check),
    "django-argon2": (django_make, django_check),
}


def attempt(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # reported, never raised
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    request = json.load(sys.stdin)
    made = [
        attempt(SCHEMES[item["scheme"]][0], base64.b64decode(item["password_b64"]))
        for item in request.get("make", [])
    ]
    checked = [
        attempt(
            SCHEMES[item["scheme"]][1],
            base64.b64decode(item["password_b64"]),
            item["hash"],
        )
        for item in request.get("check", [])
    ]
    versions = {
        name: importlib.metadata.version(name)
        for name in ("argon2-cffi", "argon2-cffi-bindings", "pwdlib", "passlib")
    }
    json.dump({"made": made, "checked": checked, "versions": versions}, sys.stdout)


if __name__ == "__main__":
    main()
