#!/usr/bin/env bash
# A fake `tensorboard` for the launcher tests. It prints TensorBoard's real messages (tensorboard/program.py,
# core_plugin.py; research/domain-facts.md S01x–S04x) and behaves as FAKE_TB_MODE says:
#   serve             serving line (localhost notice without --bind_all), then run until SIGTERM
#   localhost         the localhost notice and serving line whatever the flags, then run until SIGTERM
#   bind-fail         "could not bind … already in use", exit 255 (TensorBoard's main returns -1)
#   crash             a traceback with ContextualVersionConflict, exit 1
#   crash-then-serve  crash on the first start (counted in FAKE_TB_COUNT), serve afterwards
#   exit-after-serve  serve, then exit 1 after FAKE_TB_SECONDS
set -u
mode=${FAKE_TB_MODE:-serve}
port=6006
bind_all=0
all_args="$*"
while (($#)); do
  case $1 in
    --port) port=$2; shift 2 ;;
    --bind_all) bind_all=1; shift ;;
    *) shift ;;
  esac
done
n=1
if [[ -n ${FAKE_TB_COUNT:-} ]]; then
  n=$(($(cat "$FAKE_TB_COUNT" 2>/dev/null || echo 0) + 1))
  echo "$n" >"$FAKE_TB_COUNT"
fi
if [[ -n ${FAKE_TB_ARGS:-} ]]; then
  printf '%s\n' "$all_args" >>"$FAKE_TB_ARGS"
fi

announce() {
  if ((bind_all)) && [[ $1 != localhost ]]; then
    echo "TensorBoard 2.16.2 at http://fakehost:$port/ (Press CTRL+C to quit)" >&2
  else
    echo 'Serving TensorBoard on localhost; to expose to the network, use a proxy or pass --bind_all' >&2
    echo "TensorBoard 2.16.2 at http://localhost:$port/ (Press CTRL+C to quit)" >&2
  fi
}
run_until_term() {
  trap 'exit 0' TERM
  while :; do sleep 0.05; done
}
crash() {
  echo 'Traceback (most recent call last):' >&2
  echo '  File "/usr/lib/python3/dist-packages/tensorboard/main.py", line 38, in <module>' >&2
  echo "pkg_resources.ContextualVersionConflict: (google-auth 2.3.0 (/usr/lib/python3/dist-packages), Requirement.parse('google-auth<2,>=1.6.3'), {'tensorboard'})" >&2
  exit 1
}

case $mode in
  serve) announce bind; run_until_term ;;
  localhost) announce localhost; run_until_term ;;
  bind-fail) echo "ERROR: TensorBoard could not bind to port $port, it was already in use" >&2; exit 255 ;;
  crash) crash ;;
  crash-then-serve) if ((n == 1)); then crash; else announce bind; run_until_term; fi ;;
  exit-after-serve) announce bind; sleep "${FAKE_TB_SECONDS:-0.3}"; exit 1 ;;
  *) echo "fake tensorboard: unknown FAKE_TB_MODE $mode" >&2; exit 99 ;;
esac
