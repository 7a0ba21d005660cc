#!/usr/bin/env bash
# Every Tollgate token door with curl alone, then a call to a protected endpoint with the token.
#
#   TOLLGATE_URL=http://127.0.0.1:3000/test \
#   TOLLGATE_CLIENT_ID=cl_test_... TOLLGATE_CLIENT_SECRET=sk_test_... \
#   examples/curl/tollgate.sh oauth2-basic|oauth2-body|v1|v2|common
#
# TOLLGATE_URL is the issuer: the server's address for live mode, with /test for test mode.
# TOLLGATE_SCOPE (optional) asks for fewer scopes than the client holds. TOLLGATE_AUDIENCE
# (optional) names the API the token is for (its identifier, the token's aud): RFC 8707
# `resource` on oauth2 (the refresh too), `audience` on v1, v2 and common. Prints one
# "<step>: <answer body>" line per request and exits non-zero when a step fails.
#
# How curl meets Tollgate:
# - `curl -u id:secret` sends the id and secret as they are; RFC 6749 Appendix B wants each
#   form-encoded first. Tollgate accepts the raw value whenever only it can match (a `+`, or a
#   `%` not followed by two hex digits). A secret holding `%` and two hex digits must go in the
#   body (oauth2-body), where --data-urlencode encodes it.
# - The oauth2 door's refresh endpoint takes the refresh token alone (seed 001): no secret.
set -euo pipefail

: "${TOLLGATE_URL:?}" "${TOLLGATE_CLIENT_ID:?}" "${TOLLGATE_CLIENT_SECRET:?}"
issuer=${TOLLGATE_URL%/}
scope=${TOLLGATE_SCOPE:-}
audience=${TOLLGATE_AUDIENCE:-}
door=${1:?usage: tollgate.sh oauth2-basic|oauth2-body|v1|v2|common}

# A JSON string of printable ASCII: only " and \ need escaping.
json_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
# The value of a string field in a flat JSON answer (tokens hold no quotes).
field() { sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\1/p"; }

# POSTs, prints "<step>: <body>", and fails the script on a non-2xx answer.
post() {
  local step=$1; shift
  local body status
  body=$(curl -sS -w '\n%{http_code}' -X POST "$@")
  status=${body##*$'\n'}
  body=${body%$'\n'*}
  echo "$step: $body"
  [[ $status == 2* ]] || { echo "$step failed with HTTP $status" >&2; exit 1; }
  answer=$body
}

scope_form=()
[[ -n $scope ]] && scope_form=(--data-urlencode "scope=$scope")
# The JSON doors' optional fields, scope and audience.
scope_json=""
[[ -n $scope ]] && scope_json=",\"scope\":$(json_string "$scope")"
resource_form=()
audience_form=()
if [[ -n $audience ]]; then
  resource_form=(--data-urlencode "resource=$audience")
  audience_form=(--data-urlencode "audience=$audience")
  scope_json+=",\"audience\":$(json_string "$audience")"
fi

case $door in
  oauth2-basic)
    post token "$issuer/api/v1/oauth2/token" -u "$TOLLGATE_CLIENT_ID:$TOLLGATE_CLIENT_SECRET" \
      -d grant_type=client_credentials "${scope_form[@]}" "${resource_form[@]}"
    refresh_token=$(field refresh_token <<<"$answer")
    post refresh "$issuer/api/v1/oauth2/refresh" --data-urlencode "refresh_token=$refresh_token" "${resource_form[@]}"
    token=$(field access_token <<<"$answer") ;;
  oauth2-body)
    post token "$issuer/api/v1/oauth2/token" -d grant_type=client_credentials \
      --data-urlencode "client_id=$TOLLGATE_CLIENT_ID" --data-urlencode "client_secret=$TOLLGATE_CLIENT_SECRET" \
      "${scope_form[@]}" "${resource_form[@]}"
    refresh_token=$(field refresh_token <<<"$answer")
    post refresh "$issuer/api/v1/oauth2/refresh" --data-urlencode "refresh_token=$refresh_token" "${resource_form[@]}"
    token=$(field access_token <<<"$answer") ;;
  v1)
    post token "$issuer/v1/auth/token" \
      --data-urlencode "client_id=$TOLLGATE_CLIENT_ID" --data-urlencode "client_secret=$TOLLGATE_CLIENT_SECRET" \
      "${scope_form[@]}" "${audience_form[@]}"
    token=$(field access_token <<<"$answer") ;;
  v2)
    post token "$issuer/v2/credentials/oauth/token" -H 'Content-Type: application/json' \
      -d "{\"clientId\":$(json_string "$TOLLGATE_CLIENT_ID"),\"clientSecret\":$(json_string "$TOLLGATE_CLIENT_SECRET")$scope_json}"
    token=$(field accessToken <<<"$answer") ;;
  common)
    post token "$issuer/api/v1/client/token" -H 'Content-Type: application/json' \
      -d "{\"client_id\":$(json_string "$TOLLGATE_CLIENT_ID"),\"client_secret\":$(json_string "$TOLLGATE_CLIENT_SECRET")$scope_json}"
    token=$(field access_token <<<"$answer") ;;
  *) echo "unknown door: $door" >&2; exit 2 ;;
esac

# A protected endpoint of the default API (spec §4), and the forward-auth check a proxy would make
# in front of the API the token is for.
[[ -z $audience ]] && echo "me: $(curl -sS "$issuer/api/v1/client/me" -H "Authorization: Bearer $token")"
verify=(-G "$issuer/auth/verify" -H "Authorization: Bearer $token")
[[ -n $audience ]] && verify+=(--data-urlencode "audience=$audience")
echo "verify: $(curl -sS -o /dev/null -w '%{http_code} %header{x-client-id}' "${verify[@]}")"
