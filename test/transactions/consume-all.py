# Reads every partition of a topic from the start; prints the values (per partition, in order).
import sys, json
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, parts, level = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'verify', 'isolation.level': level,
              'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.assign([TopicPartition(topic, p, 0) for p in range(parts)])
out = {str(p): [] for p in range(parts)}
idle = 0
while idle < 8:
    ms = c.consume(1000, 0.25)
    if not ms: idle += 1; continue
    idle = 0
    for m in ms:
        if m.error(): continue
        out[str(m.partition())].append(m.value().decode())
c.close()
print(json.dumps(out))
