#!/usr/bin/env bash
# tensorboard-launch.sh — start TensorBoard the way the AzureML proxy and load balancers can reach it, and keep a
# launch log that tbmon reads (CHECKS.md § script). For compute-instance setup scripts and VMs.
#
#   tensorboard-launch.sh --logdir DIR [--port N] [options] [-- EXTRA_TENSORBOARD_ARGS…]
#
# What it does:
#   1. checks that `tensorboard` is on PATH, the logdir exists and is readable, and the port is free;
#   2. starts `tensorboard --logdir DIR --port N --bind_all …`;
#   3. sends TensorBoard's output and its own lines to syslog under the tag `tensorboard` (`logger -t`);
#      its own lines follow one grammar:
#        tbmon-launcher: event=<started|heartbeat|exited|gave-up> pid=<n> port=<n>[ code=<n>][ attempt=<n>]
#      with a heartbeat every 60 s while TensorBoard runs;
#   4. restarts TensorBoard when it exits, with exponential back-off, up to --max-restarts times in a row
#      (a run that stayed up for --stable seconds resets the count).
#
# Options:
#   --logdir DIR          event-file directory (required)
#   --port N              port TensorBoard listens on (default 6006)
#   --tag TAG             syslog tag (default tensorboard; TBMON_LAUNCH_LOG_TAG on the tbmon side)
#   --sink SINK           where lines go: `syslog` (logger, default), `stderr`, or `file:PATH` (tests; machines
#                         without /dev/log)
#   --heartbeat SECONDS   heartbeat interval (default 60)
#   --max-restarts N      restarts in a row before giving up (default 5)
#   --backoff SECONDS     first restart delay, doubled after each failure (default 2)
#   --max-backoff SECONDS longest restart delay (default 300)
#   --stable SECONDS      a run at least this long resets the restart count (default 600)
#   -h, --help            this text
#
# Exit codes:
#   0  stopped by SIGTERM / SIGINT (TensorBoard is stopped too)
#   2  usage error (bad or missing option)
#   3  `tensorboard` is not on PATH
#   4  the logdir does not exist or is not readable
#   5  the port is already in use
#   6  gave up: TensorBoard kept exiting (--max-restarts reached)
#   7  the log sink does not work (no `logger`, or no /dev/log: use --sink stderr or --sink file:PATH)
#
# Example (compute-instance setup script, runs as azureuser):
#   nohup /home/azureuser/tensorboard-launch.sh --logdir /home/azureuser/cloudfiles/code/logs --port 6006 &

set -u

logdir=''
port=6006
tag=tensorboard
sink=syslog
heartbeat=60
max_restarts=5
backoff=2
max_backoff=300
stable=600
extra=()

usage() {
  sed -n '2,/^$/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^!/d'
}

die_usage() {
  printf 'tensorboard-launch.sh: %s (see --help)\n' "$1" >&2
  exit 2
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_number() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }

while (($#)); do
  case $1 in
    --logdir) (($# >= 2)) || die_usage '--logdir needs a value'; logdir=$2; shift 2 ;;
    --port) (($# >= 2)) || die_usage '--port needs a value'; port=$2; shift 2 ;;
    --tag) (($# >= 2)) || die_usage '--tag needs a value'; tag=$2; shift 2 ;;
    --sink) (($# >= 2)) || die_usage '--sink needs a value'; sink=$2; shift 2 ;;
    --heartbeat) (($# >= 2)) || die_usage '--heartbeat needs a value'; heartbeat=$2; shift 2 ;;
    --max-restarts) (($# >= 2)) || die_usage '--max-restarts needs a value'; max_restarts=$2; shift 2 ;;
    --backoff) (($# >= 2)) || die_usage '--backoff needs a value'; backoff=$2; shift 2 ;;
    --max-backoff) (($# >= 2)) || die_usage '--max-backoff needs a value'; max_backoff=$2; shift 2 ;;
    --stable) (($# >= 2)) || die_usage '--stable needs a value'; stable=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die_usage "unknown option: $1" ;;
  esac
done

[[ -n $logdir ]] || die_usage '--logdir is required'
if ! is_uint "$port" || ((port < 1 || port > 65535)); then
  die_usage "--port must be a number from 1 to 65535, got '$port'"
fi
[[ $tag =~ ^[A-Za-z0-9._/-]{1,48}$ ]] || die_usage "--tag must be letters, digits, . _ / - (at most 48), got '$tag'"
if ! is_number "$heartbeat" || [[ ! $heartbeat =~ [1-9] ]]; then
  die_usage "--heartbeat must be a positive number of seconds, got '$heartbeat'"
fi
is_uint "$max_restarts" || die_usage "--max-restarts must be a whole number, got '$max_restarts'"
is_number "$backoff" || die_usage "--backoff must be a number of seconds, got '$backoff'"
is_number "$max_backoff" || die_usage "--max-backoff must be a number of seconds, got '$max_backoff'"
is_uint "$stable" || die_usage "--stable must be a whole number of seconds, got '$stable'"
case $sink in
  syslog | stderr) ;;
  file:?*) ;;
  *) die_usage "--sink must be syslog, stderr or file:PATH, got '$sink'" ;;
esac

# One line to the sink.
emit() {
  case $sink in
    syslog) logger -t "$tag" -- "$1" ;;
    stderr) printf '%s: %s\n' "$tag" "$1" >&2 ;;
    file:*) printf '%s\n' "$1" >>"${sink#file:}" ;;
  esac
}

# Every line of stdin to the sink (TensorBoard's own output).
emit_stream() {
  case $sink in
    syslog) logger -t "$tag" ;;
    *) local line; while IFS= read -r line || [[ -n $line ]]; do emit "$line"; done ;;
  esac
}

event() {
  emit "tbmon-launcher: event=$1 pid=$2 port=$port${3:+ code=$3}${4:+ attempt=$4}"
}

# The sink must work before anything else, or nobody would ever read why the launcher stopped.
case $sink in
  syslog)
    if ! command -v logger >/dev/null 2>&1 || [[ ! -S /dev/log ]]; then
      printf 'tensorboard-launch.sh: no syslog here (logger or /dev/log missing): use --sink stderr or --sink file:PATH\n' >&2
      exit 7
    fi ;;
  file:*)
    if ! : >>"${sink#file:}" 2>/dev/null; then
      printf 'tensorboard-launch.sh: cannot write to %s\n' "${sink#file:}" >&2
      exit 7
    fi ;;
esac

# --- environment checks -------------------------------------------------------------------------------------------

if ! command -v tensorboard >/dev/null 2>&1; then
  emit "tbmon-launcher: tensorboard: command not found (PATH=$PATH)"
  event gave-up 0 127
  exit 3
fi

if [[ ! -e $logdir ]]; then
  emit "tbmon-launcher: logdir $logdir: No such file or directory"
  event gave-up 0 4
  exit 4
fi
if [[ ! -d $logdir || ! -r $logdir || ! -x $logdir ]]; then
  emit "tbmon-launcher: logdir $logdir: Permission denied (not a readable directory)"
  event gave-up 0 4
  exit 4
fi

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

if port_in_use "$port"; then
  emit "tbmon-launcher: port $port: Address already in use"
  event gave-up 0 5
  exit 5
fi

# --- run, watch, restart ------------------------------------------------------------------------------------------

workdir=$(mktemp -d "${TMPDIR:-/tmp}/tensorboard-launch.XXXXXX") || exit 1
tb_pid=''
beat_pid=''
reader_pid=''
stopping=0

cleanup() {
  # Only the launcher itself: a background subshell (the heartbeat loop, killed early) can run an inherited EXIT
  # trap, and would delete the work directory the next restart's pipe goes in.
  [[ $BASHPID == "$$" ]] || return 0
  [[ -n $beat_pid ]] && kill "$beat_pid" 2>/dev/null
  rm -rf "$workdir"
}
trap cleanup EXIT

on_signal() {
  stopping=1
  [[ -n $tb_pid ]] && kill -TERM "$tb_pid" 2>/dev/null
}
trap on_signal TERM INT

# Seconds to wait before restart number $1 (1-based): backoff · 2^(n-1), at most max_backoff.
delay_for() {
  awk -v b="$backoff" -v m="$max_backoff" -v n="$1" 'BEGIN { d = b * 2 ^ (n - 1); if (d > m) d = m; print d }'
}

attempt=0
while :; do
  attempt=$((attempt + 1))
  fifo="$workdir/out.$attempt"
  mkfifo "$fifo" || exit 1
  emit_stream <"$fifo" &
  reader_pid=$!
  tensorboard --logdir "$logdir" --port "$port" --bind_all "${extra[@]}" >"$fifo" 2>&1 &
  tb_pid=$!
  started_at=$SECONDS
  event started "$tb_pid" '' "$attempt"

  (
    # The heartbeat loop: stopped with TERM, taking its sleep along so nothing outlives the launcher.
    trap - INT
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep "$heartbeat" &
      nap=$!
      wait "$nap"
      kill -0 "$tb_pid" 2>/dev/null || exit 0
      event heartbeat "$tb_pid"
    done
  ) &
  beat_pid=$!

  # `wait` returns early when a trapped signal arrives; wait again until TensorBoard itself has gone.
  wait "$tb_pid"
  code=$?
  while kill -0 "$tb_pid" 2>/dev/null; do
    wait "$tb_pid"
    code=$?
  done
  kill "$beat_pid" 2>/dev/null
  wait "$beat_pid" 2>/dev/null
  beat_pid=''
  wait "$reader_pid" 2>/dev/null
  rm -f "$fifo"

  event exited "$tb_pid" "$code" "$attempt"
  if ((stopping)); then
    exit 0
  fi
  if ((SECONDS - started_at >= stable)); then
    attempt=0 # it ran long enough: this exit starts a fresh series of restarts
  fi
  if ((attempt > max_restarts)); then
    event gave-up "$tb_pid" "$code" "$attempt"
    exit 6
  fi
  sleep "$(delay_for "$((attempt > 0 ? attempt : 1))")" &
  sleep_pid=$!
  wait "$sleep_pid" 2>/dev/null
  if ((stopping)); then
    kill "$sleep_pid" 2>/dev/null
    exit 0
  fi
done
