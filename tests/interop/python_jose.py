"""python-jose interop helper for keyward's tests (run in venv-jose).

Run as `<venv-jose>/bin/python tests/interop/python_jose.py`. Reads one JSON
object on stdin and writes one JSON object on stdout:

    in:  {"tutorial": [{"secret": S, "sub": U,
                        "expires_minutes": N | "expires_at": UNIX_SECONDS}, ...],
          "decode":   [{"token": T, "secret": S}, ...]}
    out: {"tutorial": [{"token": T, "header": {...}, "claims": {...}}
                       | {"error": "Type: msg"}, ...],
          "decoded":  [{"header": {...}, "claims": {...}} | {"error": "Type: msg"}, ...]}

"tutorial" makes tokens exactly as the FastAPI tutorial the project grew from
does (python-jose, HS256, the secret string passed as is, claims
{"sub": ..., "exp": <datetime>}); see create_access_token below. expires_at
replaces the tutorial's "now + expires_delta" by a fixed time, for tokens
that must outlive the test run (the example's embedded token). The header and
claims are what python-jose wrote, read back unverified.

"decode" checks a token the way the tutorial's get_current_user does:
jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM]).

Results are in input order; every failure becomes an {"error": ...} item.
"""

import json
import sys
from datetime import datetime, timedelta, timezone

from jose import jwt

ALGORITHM = "HS256"


def create_access_token(data, secret_key, expires_delta=None):
    # The tutorial's function, with SECRET_KEY as a parameter. The seed writes
    # datetime.utcnow(); python-jose turns either datetime into the same
    # integer `exp` (calendar.timegm of the UTC time tuple).
    to_encode = data.copy()
    expire = datetime.now(timezone.utc) + (expires_delta or timedelta(minutes=15))
    to_encode.update({"exp": expire})
    return jwt.encode(to_encode, secret_key, algorithm=ALGORITHM)


def tutorial(item):
    data = {"sub": item["sub"]}
    if "expires_at" in item:
        # Only the expiry differs from create_access_token: a fixed instant.
        expire = datetime.fromtimestamp(item["expires_at"], tz=timezone.utc)
        token = jwt.encode({**data, "exp": expire}, item["secret"], algorithm=ALGORITHM)
    else:
        minutes = item.get("expires_minutes")
        delta = timedelta(minutes=minutes) if minutes is not None else None
        token = create_access_token(data, item["secret"], delta)
    return {
        "token": token,
        "header": jwt.get_unverified_header(token),
        "claims": jwt.get_unverified_claims(token),
    }


def decode(item):
    token = item["token"]
    claims = jwt.decode(token, item["secret"], algorithms=[ALGORITHM])
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
        "tutorial": [run(tutorial, item) for item in request.get("tutorial", [])],
        "decoded": [run(decode, item) for item in request.get("decode", [])],
    }
    json.dump(response, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
