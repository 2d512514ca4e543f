# Consume-transform-produce with send_offsets_to_transaction; survives broker restarts by
# recreating the clients and resuming from the committed offsets. Prints "committed <n>" progress.
import sys, time
from confluent_kafka import Consumer, Producer, KafkaException, TopicPartition
bootstrap, src, dst, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def clients():
    p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'ctp-' + src, 'transaction.timeout.ms': 10000})
    while True:
        try:
            p.init_transactions(10); break
        except KafkaException as e:
            time.sleep(0.5)
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ctp-' + src, 'isolation.level': 'read_committed',
                  'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'session.timeout.ms': 6000})
    c.assign([TopicPartition(src, 0), TopicPartition(src, 1)])
    return p, c
def done(c):
    committed = c.committed([TopicPartition(src, 0), TopicPartition(src, 1)], 10)
    return sum(max(tp.offset, 0) for tp in committed)
p, c = clients()
processed = 0
deadline = time.time() + 240
while time.time() < deadline:
    try:
        if processed >= total and done(c) >= total: break
        ms = [m for m in c.consume(2000, 0.5) if not m.error()]
        if not ms:
            processed = done(c)
            continue
        p.begin_transaction()
        for m in ms:
            p.produce(dst, value=b'out-' + m.value(), partition=m.partition())
        p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 10)
        p.commit_transaction(10)
        processed = done(c)
        print(f'committed {processed}', flush=True)
    except KafkaException as e:
        print(f'error {e}', flush=True)
        try: c.close()
        except Exception: pass
        time.sleep(0.5)
        p, c = clients()
print(f'finished {done(c)}', flush=True)
