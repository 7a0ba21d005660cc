#!/usr/bin/env python3
"""Tollgate with Authlib's requests integration, unchanged: the oauth2 door, and the v1 door
through a compliance hook.

Debian: apt-get install python3-requests python3-authlib, then run with /usr/bin/python3.

    TOLLGATE_URL=http://127.0.0.1:3000/test \\
    TOLLGATE_CLIENT_ID=cl_test_... TOLLGATE_CLIENT_SECRET=sk_test_... \\
    /usr/bin/python3 examples/python/authlib_client.py [--door oauth2|v1] [--auth basic|body] [--wait-for-expiry]

TOLLGATE_URL is the issuer: the server's address for live mode, with /test for test mode.
TOLLGATE_AUDIENCE (optional) names the API the token is for: its identifier (tollgate apis
create), which becomes the token's aud. Omitted, the token is for the default API.
TOLLGATE_SCOPE (optional) asks for fewer scopes (at a named API: fewer permissions).

Prints one JSON object per step.

How Authlib meets Tollgate:
- Authlib 1.2 (Debian 12) sends HTTP Basic with the id and secret as they are, not form-encoded
  as RFC 6749 Appendix B asks. Tollgate accepts that: when the raw and the form-decoded secret
  differ, either may match (the attempt still counts once toward lockout).
- Once the token has expired, the next request renews it: with grant_type=refresh_token at the
  token endpoint (RFC 6749 §6, client authentication included) on the oauth2 door, with a new
  client_credentials exchange on v1. Authlib keeps the refresh token when the answer has none.
- v1 wraps the token in {"data": ...} and errors in {"error": {"code_reason", "message"}};
  the compliance hook below unwraps both into RFC 6749 §5.1/§5.2 shapes. v1 takes
  client_id/client_secret in a form body, so it needs client_secret_post, and ignores the
  grant_type Authlib adds.
- The API is named as each door spells it: RFC 8707 `resource` on oauth2, `audience` on v1.
  Extra keyword arguments of fetch_token go into the token request, but Authlib's automatic
  renewal sends none, so a new client_credentials exchange on v1 would ask for the default API.
  The small subclass below adds the parameter to every token request, the renewals included.
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
from urllib.parse import quote

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

TOKEN_PATHS = {"oauth2": "/api/v1/oauth2/token", "v1": "/v1/auth/token"}
# How each door's token request names the API.
AUDIENCE_PARAMS = {"oauth2": "resource", "v1": "audience"}


class ApiSession(OAuth2Session):
    """An OAuth2Session that names one API on every token request, Authlib's renewals included."""

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target or {}

    def fetch_token(self, url=None, **kwargs):
        return super().fetch_token(url, **{**self.target, **kwargs})

    def refresh_token(self, url, **kwargs):
        return super().refresh_token(url, **{**self.target, **kwargs})


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


def v1_to_rfc6749(resp):
    """Compliance hook: v1's envelope to RFC 6749 §5.1 and §5.2."""
    body = resp.json()
    if isinstance(body.get("data"), dict):
        unwrapped = body["data"]
    elif isinstance(body.get("error"), dict):
        unwrapped = {"error": body["error"].get("code_reason"), "error_description": body["error"].get("message")}
    else:
        unwrapped = body
    resp.json = lambda **_: unwrapped
    return resp


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--door", choices=list(TOKEN_PATHS), default="oauth2")
    parser.add_argument("--auth", choices=["basic", "body"], default="basic")
    parser.add_argument("--wait-for-expiry", action="store_true")
    args = parser.parse_args()
    if args.door == "v1" and args.auth != "body":
        parser.error("the v1 door reads the credentials from the form body: use --auth body")

    issuer = os.environ["TOLLGATE_URL"].rstrip("/")
    audience = os.environ.get("TOLLGATE_AUDIENCE") or None
    renewals = []
    session = ApiSession(
        os.environ["TOLLGATE_CLIENT_ID"],
        os.environ["TOLLGATE_CLIENT_SECRET"],
        token_endpoint_auth_method="client_secret_basic" if args.auth == "basic" else "client_secret_post",
        scope=os.environ.get("TOLLGATE_SCOPE") or None,
        token_endpoint=f"{issuer}{TOKEN_PATHS[args.door]}",
        grant_type="client_credentials",
        target={AUDIENCE_PARAMS[args.door]: audience} if audience else None,
        # Authlib names what it spent: the refresh token, or the old access token (a new exchange).
        update_token=lambda token, refresh_token=None, access_token=None: renewals.append(
            "refresh_token" if refresh_token else "client_credentials"),
    )
    if args.door == "v1":
        session.register_compliance_hook("access_token_response", v1_to_rfc6749)

    try:
        token = session.fetch_token()
    except OAuthError as e:
        # The RFC 6749 §5.2 `error` of the answer: invalid_client, invalid_scope, rate_limited, ...
        emit(step="token", error=e.error)
        return 1
    first = token["access_token"]
    emit(step="token", door=args.door, auth=args.auth, token_type=token["token_type"], expires_in=token["expires_in"],
         has_refresh_token="refresh_token" in token, aud=aud_of(first), access_token=first)

    step, status, called_by = call_api(session, issuer, audience)
    emit(step=step, status=status, client_id=called_by)

    if args.wait_for_expiry:
        time.sleep(max(0.0, token["expires_at"] - time.time()) + 0.2)
        _, status, _ = call_api(session, issuer, audience)
        emit(step="after-expiry", status=status, renewed_by=renewals,
             new_access_token=session.token["access_token"] != first,
             refresh_token_kept=session.token.get("refresh_token") == token.get("refresh_token"),
             aud=aud_of(session.token["access_token"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
