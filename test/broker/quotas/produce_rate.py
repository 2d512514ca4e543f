"""Produces as fast as librdkafka lets it for a while; prints what was acknowledged when.

Arguments: bootstrap topic client_id seconds [max_bytes]. Prints one JSON object: `acked` as [seconds since
start, bytes acknowledged so far] pairs, `errors`, and `throttle_max_ms`, the largest `throttle.max`
any broker reported in librdkafka's statistics (the stats_cb window of throttle times),
`throttle_count` and `throttle_avg_ms`, the number of throttled responses and their mean throttle
time over the whole run (summed from the same windows).
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, client_id, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
max_bytes = int(sys.argv[5]) if len(sys.argv) > 5 else 1 << 62
sent = 0
payload = b"x" * 10_000
state = {"acked": 0, "errors": 0, "throttle_max_ms": 0, "throttle_count": 0, "throttle_sum_ms": 0, "timeline": []}
start = time.monotonic()


def on_stats(text):
    stats = json.loads(text)
    for broker in stats.get("brokers", {}).values():
        window = broker.get("throttle", {})
        state["throttle_max_ms"] = max(state["throttle_max_ms"], window.get("max", 0))
        state["throttle_count"] += window.get("cnt", 0)
        state["throttle_sum_ms"] += window.get("sum", 0)


def on_delivery(err, msg):
    if err is not None:
        state["errors"] += 1
        return
    state["acked"] += len(msg.value())
    state["timeline"].append([round(time.monotonic() - start, 3), state["acked"]])


producer = Producer(
    {
        "bootstrap.servers": bootstrap,
        "client.id": client_id,
        "acks": 1,
        "linger.ms": 5,
        "batch.size": 200000,
        "queue.buffering.max.kbytes": 1024,
        "statistics.interval.ms": 500,
        "stats_cb": on_stats,
    }
)
while time.monotonic() - start < seconds and sent < max_bytes:
    try:
        producer.produce(topic, payload, on_delivery=on_delivery)
        sent += len(payload)
    except BufferError:
        producer.poll(0.01)
    producer.poll(0)
producer.flush(30)
producer.poll(0.6)  # one more statistics callback
count = state["throttle_count"]
print(
    json.dumps(
        {
            "acked": state["timeline"],
            "errors": state["errors"],
            "throttle_max_ms": state["throttle_max_ms"],
            "throttle_count": count,
            "throttle_avg_ms": round(state["throttle_sum_ms"] / count, 1) if count else 0,
        }
    )
)
