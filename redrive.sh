#!/usr/bin/env sh
# Re-drives DEAD commands from the project folder: ./redrive.sh [--profile=NAME] [key=value ...] SELECTION [--dry-run]
# Builds like ./run.sh, then runs bin/ecpay-redrive (./redrive.sh --help for the selection options).
set -e
cd "$(dirname "$0")"
mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime
exec bin/ecpay-redrive "$@"
