#!/usr/bin/env bash
# Starts the whole system on this machine: checks Postgres and NATS, installs and builds if
# needed, applies migrations (each service does on start), and runs the three services.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/minoots}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
# Local receivers (the seeds' webhook tester on localhost) are the common case in development.
export WEBHOOK_ALLOWED_CIDRS="${WEBHOOK_ALLOWED_CIDRS-127.0.0.0/8,::1/128}"

[ -d node_modules ] || npm install --no-audit --no-fund
node scripts/check-infra.js
npm run --silent build

# A stable development key, kept in a local file (gitignored) so it is the same on every start.
if [ -z "${MINOOTS_BOOTSTRAP_API_KEY:-}" ]; then
  if [ ! -s .minoots-dev-api-key ]; then
    node -e "const c='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';let s='';for(const b of require('crypto').randomBytes(64)){if(b<248&&s.length<32)s+=c[b%62]}console.log('mnt_test_'+s)" > .minoots-dev-api-key
    chmod 600 .minoots-dev-api-key
  fi
  MINOOTS_BOOTSTRAP_API_KEY="$(cat .minoots-dev-api-key)"
  export MINOOTS_BOOTSTRAP_API_KEY
fi

exec node scripts/start.js
