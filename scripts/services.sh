#!/usr/bin/env bash
# Makes sure the servers the services tests talk to are up on this machine: PostgreSQL
# (127.0.0.1:5432, database test), Redis (127.0.0.1:6379) and NATS with JetStream (127.0.0.1:4222).
# A server that answers is left alone; one that does not is started with the machine's own start
# command, its Debian package installed first when it is missing. Exits non-zero, naming the
# server, when one still does not answer. It never stops a server.
set -uo pipefail

open_port() { # host port: whether something accepts a TCP connection there
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

install_pkg() { # package: installs a Debian package (once)
  echo "services: installing the Debian package $1"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$1" >/dev/null 2>&1 ||
    { as_root apt-get update >/dev/null 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$1" >/dev/null 2>&1; }
}

wait_port() { # name port: waits up to 15 s for the port, failing with the server's name
  for _ in $(seq 1 150); do open_port 127.0.0.1 "$2" && return 0; sleep 0.1; done
  echo "services: $1 does not answer on 127.0.0.1:$2" >&2
  return 1
}

status=0

if ! open_port 127.0.0.1 5432; then
  command -v pg_ctlcluster >/dev/null || install_pkg postgresql
  echo "services: starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start
  wait_port PostgreSQL 5432 || status=1
fi

if ! open_port 127.0.0.1 6379; then
  command -v redis-server >/dev/null || install_pkg redis-server
  echo "services: starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port Redis 6379 || status=1
fi

if ! open_port 127.0.0.1 4222; then
  [ -x /usr/sbin/nats-server ] || install_pkg nats-server
  echo "services: starting NATS with JetStream"
  as_root mkdir -p /var/lib/nats-server
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port NATS 4222 || status=1
fi

[ "$status" = 0 ] && echo "services: PostgreSQL, Redis and NATS answer on 127.0.0.1"
exit "$status"
