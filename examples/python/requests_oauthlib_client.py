#!/usr/bin/env python3
"""Tollgate's oauth2 door with requests-oauthlib, unchanged.

Debian: apt-get install python3-requests python3-requests-oauthlib, then run with
/usr/bin/python3 (Debian's packages are not on a pyenv or venv python's path).

    TOLLGATE_URL=http://127.0.0.1:3000/test \\
    TOLLGATE_CLIENT_ID=cl_test_... TOLLGATE_CLIENT_SECRET=sk_test_... \\
    /usr/bin/python3 examples/python/requests_oauthlib_client.py [--auth basic|body] [--wait-for-expiry]

TOLLGATE_URL is the issuer: the server's address for live mode, with /test for test mode.
TOLLGATE_AUDIENCE (optional) names the API the token is for: its identifier (tollgate apis
create), which becomes the token's aud. Omitted, the token is for the default API.
TOLLGATE_SCOPE (optional) asks for fewer scopes than the client holds (at that API: fewer
permissions than its grant).

Prints one JSON object per step, so a script (and the test suite) can read what happened.

How requests-oauthlib meets Tollgate:
- It sends HTTP Basic with the id and secret as they are, not form-encoded first as RFC 6749
  Appendix B asks. Tollgate accepts that: when the raw and the form-decoded secret differ,
  either may match (the attempt still counts once toward lockout).
- oauthlib refuses plain http. OAUTHLIB_INSECURE_TRANSPORT is set below for a loopback
  address only; never set it for a remote server.
- It refreshes on its own once the token's expires_at has passed, at auto_refresh_url. Tollgate's
  /refresh needs only the refresh token (seed 001), and answers without a new refresh token:
  requests-oauthlib keeps the old one, which stays good for 24 h.
- The API is named with RFC 8707's resource parameter: extra keyword arguments of fetch_token
  go into the token request, and auto_refresh_kwargs into every refresh.
- Tollgate's own GET /api/v1/client/me takes tokens for the default API only. With an audience,
  the example calls GET /auth/verify?audience=... instead: the check a proxy in front of that
  API makes (spec §4).
"""
import argparse
import base64
import json
import os
import sys
import time
from urllib.parse import quote, urlparse

from oauthlib.oauth2 import BackendApplicationClient
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests_oauthlib import OAuth2Session


def emit(**fields):
    print(json.dumps(fields), flush=True)


def aud_of(access_token):
    """The aud claim of a JWT access token, read without verifying it: for display only."""
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("aud")


def call_api(session, issuer, audience):
    """The default API's GET /api/v1/client/me, or a named API's check at /auth/verify."""
    if audience:
        res = session.get(f"{issuer}/auth/verify?audience={quote(audience, safe='')}")
        return "verify", res.status_code, res.headers.get("X-Client-Id")
    res = session.get(f"{issuer}/api/v1/client/me")
    return "me", res.status_code, res.json()["data"]["id"] if res.ok else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--auth", choices=["basic", "body"], default="basic")
    parser.add_argument("--wait-for-expiry", action="store_true")
    args = parser.parse_args()

    issuer = os.environ["TOLLGATE_URL"].rstrip("/")
    client_id = os.environ["TOLLGATE_CLIENT_ID"]
    client_secret = os.environ["TOLLGATE_CLIENT_SECRET"]
    scope = os.environ.get("TOLLGATE_SCOPE") or None
    audience = os.environ.get("TOLLGATE_AUDIENCE") or None
    # RFC 8707: the API as `resource`, on the exchange and on every refresh.
    resource = {"resource": audience} if audience else {}

    if urlparse(issuer).hostname in ("127.0.0.1", "localhost", "::1"):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

    refreshed = []
    session = OAuth2Session(
        client=BackendApplicationClient(client_id=client_id, scope=scope),
        scope=scope,
        auto_refresh_url=f"{issuer}/api/v1/oauth2/refresh",
        auto_refresh_kwargs=resource,
        token_updater=refreshed.append,
    )
    token_url = f"{issuer}/api/v1/oauth2/token"
    try:
        if args.auth == "basic":
            # client_secret_basic: requests-oauthlib builds the Basic header itself.
            token = session.fetch_token(token_url, client_id=client_id, client_secret=client_secret, **resource)
        else:
            # client_secret_post: id and secret in the form body, no Authorization header.
            token = session.fetch_token(token_url, client_id=client_id, client_secret=client_secret,
                                        include_client_id=True, **resource)
    except OAuth2Error as e:
        # The RFC 6749 §5.2 `error` of the answer: invalid_client, invalid_scope, rate_limited, ...
        emit(step="token", error=e.error, status=e.status_code)
        return 1
    emit(step="token", auth=args.auth, token_type=token["token_type"], expires_in=token["expires_in"],
         has_refresh_token="refresh_token" in token, scope=token.get("scope"), aud=aud_of(token["access_token"]),
         access_token=token["access_token"])

    step, status, called_by = call_api(session, issuer, audience)
    emit(step=step, status=status, client_id=called_by)

    if args.wait_for_expiry:
        time.sleep(max(0.0, token["expires_at"] - time.time()) + 0.2)
        _, status, _ = call_api(session, issuer, audience)
        emit(step="after-expiry", status=status, refreshed=len(refreshed),
             new_access_token=session.token["access_token"] != token["access_token"],
             refresh_token_kept=session.token.get("refresh_token") == token.get("refresh_token"),
             aud=aud_of(session.token["access_token"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
