#!/usr/bin/env bash
# expect-exit.sh CODE PATTERN COMMAND: runs COMMAND (a shell string), prints its output, and passes
# only if it exits with CODE and its output (stdout and stderr) matches the extended regex PATTERN.
# The output is matched as one text, as ctest's regexes are: `.` matches a newline and `^` is the
# start of the output. (ctest's PASS_REGULAR_EXPRESSION alone would ignore the exit code.)
set -u
want=$1 pattern=$2 command=$3
out=$(bash -c "$command" 2>&1)
got=$?
printf '%s\n' "$out"
if [ "$got" -ne "$want" ]; then
  echo "expect-exit: exit code $got, wanted $want"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Ezq -- "$pattern"; then
  echo "expect-exit: output does not match /$pattern/"
  exit 1
fi
