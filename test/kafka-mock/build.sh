#!/usr/bin/env bash
# Builds the Kafka mock-cluster launcher the Kafka suites run (test/kafka-mock/mock-cluster.c)
# into test/kafka-mock/.build/, installing Debian's librdkafka-dev first when it is missing.
set -euo pipefail
cd "$(dirname "$0")"

out=.build/mock-cluster
if ! pkg-config --exists rdkafka 2>/dev/null || [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  install_command="apt-get update && apt-get install -y librdkafka-dev pkg-config gcc"
  if [ "$(id -u)" -ne 0 ]; then
    echo "The Kafka suites need librdkafka's mock cluster (Debian package librdkafka-dev). As root, run:" >&2
    echo "  $install_command" >&2
    exit 1
  fi
  echo "Installing librdkafka-dev for the Kafka mock cluster" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq librdkafka-dev pkg-config gcc >/dev/null
fi

if [ -x "$out" ] && [ "$out" -nt mock-cluster.c ]; then
  exit 0
fi
mkdir -p .build
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -Werror -o "$out.tmp" mock-cluster.c $(pkg-config --cflags --libs rdkafka)
mv "$out.tmp" "$out"
