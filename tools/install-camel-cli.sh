#!/usr/bin/env sh
# Builds the `camel` command (Camel JBang 4.17.0 CLI running routes on Camel 4.18.0) from Maven Central and
# links it into a folder on PATH.   Usage: tools/install-camel-cli.sh [bin-folder]   (default: ~/.local/bin)
set -eu
here=$(cd "$(dirname "$0")" && pwd -P)
mvn -B -q -f "$here/camel-cli/pom.xml" package -DskipTests
target=${1:-"$HOME/.local/bin"}
mkdir -p "$target"
ln -sf "$here/bin/camel" "$target/camel"
echo "camel installed: $target/camel"
case ":$PATH:" in
  *":$target:"*) ;;
  *) echo "add it to PATH:  export PATH=\"$target:\$PATH\"" ;;
esac
