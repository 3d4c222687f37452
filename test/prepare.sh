#!/usr/bin/env bash
# Prepares a fresh machine for `npm test`: everything the suites need that `npm ci` does not do.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "npm test needs Node.js 20 or 22; this is $(node -v)" >&2
  exit 1
fi

# The native SQLite binding must load: `npm ci` builds it from source with node-gyp.
node -e "new (require('better-sqlite3'))(':memory:').close()" || {
  echo "better-sqlite3 did not load: run 'npm rebuild better-sqlite3' (needs python3, make and g++)" >&2
  exit 1
}

# The PostgreSQL suites create and drop their own databases on the local server (unless TEST_DATABASE_URL names another).
if [ -z "${TEST_DATABASE_URL:-}" ] && ! pg_isready -q -h 127.0.0.1; then
  start_pg="pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql 2>/dev/null) main start"
  if [ "$(id -u)" -eq 0 ]; then $start_pg; else echo "PostgreSQL is not running on 127.0.0.1:5432: run 'sudo $start_pg'" >&2; exit 1; fi
fi

# The Kafka suites run librdkafka's mock cluster: installs librdkafka-dev when missing (as root) and builds the launcher.
bash test/kafka-mock/build.sh

# The console's browser journey drives Debian's Chromium (a browser cannot be downloaded here),
# with a Chinese font so that its screenshots show Chinese rather than empty boxes.
if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
  install_browser="apt-get update && apt-get install -y chromium fonts-wqy-microhei"
  if [ "$(id -u)" -eq 0 ]; then bash -c "$install_browser"; else echo "Chromium or its Chinese font is missing: run 'sudo bash -c \"$install_browser\"'" >&2; exit 1; fi
fi

# The crash-recovery suite runs the real service as a child process, from the compiled output.
npx nest build

# The console's journey serves the built console (apps/console/dist) from the service.
npm run -s build:console
