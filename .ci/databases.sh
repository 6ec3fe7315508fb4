# Shared by .ci/run, benchmarks/run and reliability/run (source it):
# start the PostgreSQL and MariaDB servers when they are not answering, fail
# when one stays down, and create the databases the runs use.

postgresql_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
mariadb_up() { mysqladmin --protocol=tcp -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1; }

wait_until() {  # wait_until <what> <command...>: up to 30 s
  local what=$1; shift
  for _ in $(seq 60); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  echo "$what is not answering" >&2
  return 1
}

ensure_servers() {
  if ! postgresql_up; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  fi
  wait_until PostgreSQL postgresql_up
  if ! mariadb_up; then
    echo "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  fi
  wait_until MariaDB mariadb_up
}

ensure_database() {  # ensure_database <name>: on both servers
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" \
    | grep -q 1 || createdb -h 127.0.0.1 -U postgres "$1"
  mysql --protocol=tcp -h 127.0.0.1 -u root -e "CREATE DATABASE IF NOT EXISTS \`$1\`"
}
