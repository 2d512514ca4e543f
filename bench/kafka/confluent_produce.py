"""librdkafka's producer through confluent-kafka-python: produce SIZE-byte values for SECONDS,
then flush; prints {"records": N, "seconds": S} where S includes the final flush (every record
counted was acknowledged). Usage: confluent_produce.py BOOTSTRAP TOPIC SIZE SECONDS ACKS"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, size, seconds, acks = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
producer = Producer({
    'bootstrap.servers': bootstrap,
    'acks': acks,
    'linger.ms': 5,
    'queue.buffering.max.messages': 1000000,
    'queue.buffering.max.kbytes': 1048576,
    'enable.idempotence': False,
    'api.version.request': True,
})
value = b'a' * size
errors = 0


def on_error(err):
    global errors
    errors += 1


producer.produce(topic, value, partition=0)
producer.flush(10)
sent = 0
start = time.perf_counter()
deadline = start + seconds
while time.perf_counter() < deadline:
    for _ in range(1000):
        try:
            producer.produce(topic, value, partition=0)
            sent += 1
        except BufferError:
            producer.poll(0.001)
            break
    producer.poll(0)
left = producer.flush(30)
elapsed = time.perf_counter() - start
print(json.dumps({"records": sent - left, "seconds": elapsed, "unflushed": left}))
