#!/bin/sh
# Creates Candor's Kafka topics from topics.txt (beside this script) on $KAFKA_BOOTSTRAP with
# $KAFKA_REPLICATION_FACTOR replicas. Idempotent: an existing topic with the listed partition
# count is kept; one with another count fails the job with a message (keys would move, so an
# operator changes partitions by hand). Runs in the apache/kafka image.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bootstrap=${KAFKA_BOOTSTRAP:?KAFKA_BOOTSTRAP must name the brokers}
rf=${KAFKA_REPLICATION_FACTOR:-1}
topics_bin=${KAFKA_TOPICS_BIN:-/opt/kafka/bin/kafka-topics.sh}
status=0
while read -r topic partitions rest; do
  case "${topic}" in '' | '#'*) continue ;; esac
  case "${partitions}" in '' | *[!0-9]*)
    echo "create-topics: bad line for ${topic}: partitions '${partitions}'" >&2; exit 1 ;;
  esac
  "${topics_bin}" --bootstrap-server "${bootstrap}" --create --if-not-exists \
    --topic "${topic}" --partitions "${partitions}" --replication-factor "${rf}"
  have=$("${topics_bin}" --bootstrap-server "${bootstrap}" --describe --topic "${topic}" |
    sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n 1)
  if [ "${have}" != "${partitions}" ]; then
    echo "create-topics: ${topic} has ${have} partitions, topics.txt says ${partitions};" \
      "change it by hand (kafka-topics.sh --alter) knowing that keys move" >&2
    status=1
  else
    echo "create-topics: ${topic} ready (${partitions} partitions)"
  fi
done <"${dir}/topics.txt"
exit "${status}"
