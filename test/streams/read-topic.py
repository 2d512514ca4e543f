# Reads every partition of a topic from the start with confluent-kafka (librdkafka) until it has
# reached the end of each (partition EOF, which respects the last stable offset under
# read_committed), and prints one JSON line per record: partition, offset, key and value (UTF-8,
# or hex when not UTF-8) and timestamp. Gives up after a minute without progress.
import sys, json, time
from confluent_kafka import Consumer, TopicPartition, KafkaError
bootstrap, topic, parts, level = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'streams-verify', 'isolation.level': level,
              'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'enable.partition.eof': True})
c.assign([TopicPartition(topic, p, 0) for p in range(parts)])
def text(b):
    if b is None: return None
    try: return b.decode('utf-8')
    except UnicodeDecodeError: return 'hex:' + b.hex()
at_end = set()
last_progress = time.time()
out = []
while len(at_end) < parts and time.time() - last_progress < 60:
    ms = c.consume(5000, 0.5)
    for m in ms:
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF: at_end.add(m.partition())
            continue
        at_end.discard(m.partition())
        last_progress = time.time()
        out.append(json.dumps({'p': m.partition(), 'o': m.offset(), 'k': text(m.key()), 'v': text(m.value()), 't': m.timestamp()[1]}))
c.close()
sys.stdout.write('\n'.join(out) + ('\n' if out else ''))
if len(at_end) < parts:
    sys.stderr.write('gave up before reaching the end of every partition\n')
    sys.exit(2)
