# Reads every partition of a topic from the start with confluent-kafka (librdkafka) and prints
# one JSON line per record: partition, offset, key and value (UTF-8, or hex when not UTF-8).
import sys, json
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, parts, level = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
idle_rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 6
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'streams-verify', 'isolation.level': level,
              'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.assign([TopicPartition(topic, p, 0) for p in range(parts)])
def text(b):
    if b is None: return None
    try: return b.decode('utf-8')
    except UnicodeDecodeError: return 'hex:' + b.hex()
idle = 0
while idle < idle_rounds:
    ms = c.consume(5000, 0.25)
    if not ms:
        idle += 1
        continue
    idle = 0
    for m in ms:
        if m.error(): continue
        print(json.dumps({'p': m.partition(), 'o': m.offset(), 'k': text(m.key()), 'v': text(m.value()), 't': m.timestamp()[1]}))
c.close()
