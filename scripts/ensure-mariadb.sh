#!/usr/bin/env bash
# Start the machine's MariaDB when it is installed but not running; the tests and the demo need it.
set -euo pipefail
host=${DB_HOST:-127.0.0.1}
port=${DB_PORT:-3306}
up() { mariadb-admin --host="$host" --port="$port" --user="${DB_USER:-root}" ping >/dev/null 2>&1; }
if up; then exit 0; fi
if [ -x /usr/sbin/mariadbd ]; then
  echo "MariaDB is not running: starting it" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do up && exit 0; sleep 0.5; done
fi
echo "MariaDB is not reachable at $host:$port; set DB_HOST/DB_PORT/DB_USER/DB_PASSWORD" >&2
exit 1
