#!/bin/sh
echo "monosem: bazel coverage is not wired (offline stub of @remote_coverage_tools)" >&2
exit 1
