#!/usr/bin/env sh
# Starts the main job (Camel Main) on the embedded defaults: ./run.sh [--profile=sandbox|stage|production] [key=value ...]
# Needs only Java 17 and Maven. Profile also from ECPAY_PROFILE. Stop with Ctrl-C.
set -e
cd "$(dirname "$0")"
mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime
exec java ${JAVA_OPTS:-} -cp "target/classes:$(cat target/runtime-classpath.txt)" tw.einvoice.app.Application "$@"
