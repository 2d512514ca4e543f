# Transactional producer: commit, abort, commit; then consumers in both isolation levels.
import sys, json
from confluent_kafka import Producer, Consumer, TopicPartition
bootstrap, topic = sys.argv[1], sys.argv[2]
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'py-txn-' + topic, 'linger.ms': 5})
p.init_transactions(10)
def txn(prefix, commit):
    p.begin_transaction()
    for i in range(100):
        p.produce(topic, value=f'{prefix}-{i}', partition=i % 2)
    if commit: p.commit_transaction(10)
    else:
        p.flush(10)
        p.abort_transaction(10)
txn('c1', True); txn('a1', False); txn('c2', True)
p.produce  # producer done
def consume(level):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'g-' + level + topic, 'isolation.level': level,
                  'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
    c.assign([TopicPartition(topic, 0), TopicPartition(topic, 1)])
    seen = []
    idle = 0
    while idle < 10:
        m = c.poll(0.3)
        if m is None: idle += 1; continue
        if m.error(): continue
        idle = 0
        seen.append(m.value().decode())
    c.close()
    return seen
print(json.dumps({'committed': consume('read_committed'), 'uncommitted': consume('read_uncommitted')}))
