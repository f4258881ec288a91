# Shared by the scripts that run a test service from a folder of its own (kafka.sh, opensearch.sh,
# otelcol.sh): a free loopback port, whether the pid in a pid file runs, and an ordered stop.
# Source it; it defines functions only.

# A free TCP port on 127.0.0.1 (the kernel's pick; a random high port without python3).
free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# pid_running PIDFILE: true when PIDFILE names a live process.
pid_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile PIDFILE SIGNAL WHAT: sends SIGNAL, waits up to 30 s for the process to exit, kills
# it if it ignored the signal (saying so, as WHAT), and removes PIDFILE. Nothing to do without it.
stop_pidfile() {
  local file=$1 sig=$2 what=$3 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$what $pid ignored SIG$sig for 30 s, killing" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}
