#!/usr/bin/env bash
# What `npm test` needs besides Node and node_modules, checked (and, as root on Debian, installed)
# before the suite runs. Each piece is used by real-process tests that fail, never skip, without it:
#   nginx            test/e2e/nginx.test.ts (auth_request in front of the server)
#   chromium         test/e2e/panel-*.test.ts (Debian's build, driven by playwright-core)
#   postgresql       the vitest project "pg" (a throw-away cluster via initdb), unless
#                    TEST_DATABASE_URL names a server
#   python3 + requests, requests-oauthlib, Authlib; go + golang.org/x/oauth2; curl
#                    test/e2e/examples.test.ts (examples/ run against the server)
# As root with apt-get: installs what is missing (one apt-get update, one install). Otherwise it
# prints one line per missing piece with the command that installs it, and exits 1.
# TOLLGATE_TESTS=fast (npm run test:fast) needs none of them. TEST_DEPS_REPORT_ONLY=1 reports even
# as root (test/e2e/test-deps.test.ts).
set -euo pipefail

[ "${TOLLGATE_TESTS:-}" = fast ] && exit 0

packages=()
reasons=()
need() { packages+=("$1"); reasons+=("$2"); }

have_bin() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

have_bin nginx || need nginx "nginx, for test/e2e/nginx.test.ts"
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need chromium "Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}, for the panel's browser tests (or set CHROMIUM_PATH)"
if [ -z "${TEST_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  && ! { command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; }; then
  need postgresql "PostgreSQL's initdb, for the pg test project (or set TEST_DATABASE_URL)"
fi
# The examples run Debian's /usr/bin/python3, whose dist-packages hold the Debian modules.
[ -x /usr/bin/python3 ] || need python3 "/usr/bin/python3, for examples/python"
/usr/bin/python3 -c 'import requests' 2>/dev/null || need python3-requests "Python's requests, for examples/python"
/usr/bin/python3 -c 'import requests_oauthlib' 2>/dev/null || need python3-requests-oauthlib "Python's requests-oauthlib, for examples/python"
/usr/bin/python3 -c 'import authlib' 2>/dev/null || need python3-authlib "Python's Authlib, for examples/python"
command -v go >/dev/null 2>&1 || need golang-go "Go, for examples/go"
[ -d /usr/share/gocode/src/golang.org/x/oauth2/clientcredentials ] \
  || need golang-golang-x-oauth2-dev "golang.org/x/oauth2 in /usr/share/gocode, for examples/go (GOPATH mode, offline)"
command -v curl >/dev/null 2>&1 || need curl "curl, for examples/curl"

[ ${#packages[@]} -eq 0 ] && exit 0

if [ -z "${TEST_DEPS_REPORT_ONLY:-}" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: installing ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  exit 0
fi

echo "test-deps: npm test needs what this machine lacks:" >&2
for i in "${!packages[@]}"; do
  echo "  missing ${reasons[$i]}: sudo apt-get install -y ${packages[$i]}" >&2
done
echo "  (or all at once: sudo apt-get update && sudo apt-get install -y ${packages[*]})" >&2
exit 1
