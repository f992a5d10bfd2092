"""Standard OAuth 2.0 clients against the example login server (run in venv-oauth).

Run as `<venv-oauth>/bin/python demo/tests/interop/oauth_clients.py` by demo/tests/server.rs,
which starts the server on 127.0.0.1. Reads one JSON object on stdin and writes one on stdout:

    in:  {"base": "http://127.0.0.1:PORT", "client_id": "...",
          "authlib": {"username": U, "password": P},
          "requests_oauthlib": {"username": U, "password": P}}
    out: {"authlib": {...}, "requests_oauthlib": {...}}: what each client saw, step by step
         (token fields, statuses, and for refusals the error code the client raised).

Each client does what its documentation shows, nothing hand-written:
- authlib's `OAuth2Session.fetch_token(url, username=, password=)` (the password grant, with
  `client_id` in the body: a public client's `none` authentication), then `refresh_token`,
  then `revoke_token`;
- requests-oauthlib's `OAuth2Session(client=LegacyApplicationClient(client_id))` with
  `fetch_token(url, username=, password=)` (HTTP Basic with the client id and an empty
  secret, its default), then `refresh_token`.
The refusals are the clients' own exceptions: authlib's `OAuthError.error`, oauthlib's
`OAuth2Error.error`.

The server is plain HTTP on 127.0.0.1, so both libraries' HTTPS checks are relaxed by their
documented variables, for this process only.
"""

import json
import os
import sys

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

from authlib.integrations.requests_client import OAuth2Session as AuthlibSession  # noqa: E402
from authlib.integrations.base_client.errors import OAuthError  # noqa: E402
from oauthlib.oauth2 import LegacyApplicationClient  # noqa: E402
from oauthlib.oauth2.rfc6749.errors import OAuth2Error  # noqa: E402
from requests_oauthlib import OAuth2Session as OAuthlibSession  # noqa: E402


def token_fields(token):
    return {
        "token_type": token.get("token_type"),
        "expires_in": token.get("expires_in"),
        "has_access_token": bool(token.get("access_token")),
        "refresh_token": token.get("refresh_token"),
    }


def refusal(call):
    """The OAuth error code a client raised, or what happened instead."""
    try:
        call()
    except OAuthError as error:  # authlib
        return {"error": error.error, "description": error.description}
    except OAuth2Error as error:  # oauthlib, under requests-oauthlib
        return {"error": error.error, "description": error.description}
    return {"error": None, "description": "no error raised"}


def with_authlib(base, client_id, user):
    token_url = f"{base}/token"
    seen = {}
    session = AuthlibSession(client_id=client_id)
    token = session.fetch_token(token_url, username=user["username"], password=user["password"])
    seen["login"] = token_fields(token)
    first_refresh = token["refresh_token"]
    me = session.get(f"{base}/users/me")
    seen["me"] = {"status": me.status_code, "username": me.json().get("username")}

    renewed = session.refresh_token(token_url)
    seen["refresh"] = token_fields(renewed)
    second_refresh = renewed["refresh_token"]
    me = session.get(f"{base}/users/me")
    seen["me_after_refresh"] = {"status": me.status_code}

    # The first refresh token again: reuse, which ends the session...
    seen["reuse"] = refusal(lambda: AuthlibSession(client_id=client_id).refresh_token(
        token_url, refresh_token=first_refresh))
    # ...so the legitimate successor is refused too.
    seen["successor_after_reuse"] = refusal(lambda: AuthlibSession(client_id=client_id).refresh_token(
        token_url, refresh_token=second_refresh))

    seen["wrong_password"] = refusal(lambda: AuthlibSession(client_id=client_id).fetch_token(
        token_url, username=user["username"], password=user["password"] + "!"))
    seen["other_client"] = refusal(lambda: AuthlibSession(client_id=client_id + "-other").fetch_token(
        token_url, username=user["username"], password=user["password"]))

    # Logout (RFC 7009) with a fresh session, then its refresh token is refused.
    session = AuthlibSession(client_id=client_id)
    token = session.fetch_token(token_url, username=user["username"], password=user["password"])
    revoked = session.revoke_token(f"{base}/token/revoke", token=token["refresh_token"],
                                   token_type_hint="refresh_token")
    seen["revoke"] = {"status": revoked.status_code,
                      "cache_control": revoked.headers.get("Cache-Control")}
    seen["refresh_after_revoke"] = refusal(lambda: AuthlibSession(client_id=client_id).refresh_token(
        token_url, refresh_token=token["refresh_token"]))
    return seen


def with_requests_oauthlib(base, client_id, user):
    token_url = f"{base}/token"
    seen = {}
    session = OAuthlibSession(client=LegacyApplicationClient(client_id=client_id))
    token = session.fetch_token(token_url, username=user["username"], password=user["password"])
    seen["login"] = token_fields(token)
    first_refresh = token["refresh_token"]
    # FastAPI's route has the trailing slash; so may a client's configuration.
    me = session.get(f"{base}/users/me/")
    seen["me"] = {"status": me.status_code, "username": me.json().get("username")}

    renewed = session.refresh_token(token_url, refresh_token=first_refresh)
    seen["refresh"] = token_fields(renewed)
    seen["reuse"] = refusal(lambda: OAuthlibSession(
        client=LegacyApplicationClient(client_id=client_id)).refresh_token(
            token_url, refresh_token=first_refresh))

    def wrong_password():
        OAuthlibSession(client=LegacyApplicationClient(client_id=client_id)).fetch_token(
            token_url, username=user["username"], password=user["password"] + "!")

    seen["wrong_password"] = refusal(wrong_password)

    def with_a_secret():
        OAuthlibSession(client=LegacyApplicationClient(client_id=client_id)).fetch_token(
            token_url, username=user["username"], password=user["password"],
            client_secret="not-a-public-client")

    seen["with_a_secret"] = refusal(with_a_secret)
    return seen


def main():
    request = json.load(sys.stdin)
    base, client_id = request["base"], request["client_id"]
    answer = {
        "authlib": with_authlib(base, client_id, request["authlib"]),
        "requests_oauthlib": with_requests_oauthlib(base, client_id, request["requests_oauthlib"]),
    }
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
