# Runs commands a few at a time, each with its output in a log file. Source this file, then
#   parallel_start LOGFILE COMMAND [ARGS...]   starts COMMAND in the background, its output to
#                                              LOGFILE, waiting first while JOBS (default nproc)
#                                              others run
#   parallel_wait                              waits for all; returns non-zero when any failed and
#                                              sets PARALLEL_FAILED to their log files
# Commands are argument vectors (no shell string is evaluated).
PARALLEL_JOBS=${PARALLEL_JOBS:-$(nproc)}
PARALLEL_PIDS=()
PARALLEL_LOGS=()
PARALLEL_FAILED=()

parallel_start() {
  local log=$1
  shift
  while (( $(jobs -rp | wc -l) >= PARALLEL_JOBS )); do wait -n || true; done
  "$@" > "$log" 2>&1 &
  PARALLEL_PIDS+=($!)
  PARALLEL_LOGS+=("$log")
}

parallel_wait() {
  local i status=0
  PARALLEL_FAILED=()
  for i in "${!PARALLEL_PIDS[@]}"; do
    if ! wait "${PARALLEL_PIDS[$i]}"; then
      PARALLEL_FAILED+=("${PARALLEL_LOGS[$i]}")
      status=1
    fi
  done
  PARALLEL_PIDS=()
  PARALLEL_LOGS=()
  return $status
}
