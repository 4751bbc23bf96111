#!/bin/sh
# Install the Debian packages cxnode needs, when any is missing.
# Used by `make test`, `make demo`, `make bench` and .ci/run.
set -e
PKGS="build-essential pkg-config libnng-dev protobuf-c-compiler libprotobuf-c-dev
liblmdb-dev lmdb-utils libssl-dev openssl libjansson-dev libinih-dev libcmocka-dev
valgrind jq"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
