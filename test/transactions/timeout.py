# Opens a transaction with a short timeout, writes to it, and vanishes without ending it.
import sys, os, time
from confluent_kafka import Producer
bootstrap, topic = sys.argv[1], sys.argv[2]
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'timeout-' + topic, 'transaction.timeout.ms': 1500})
p.init_transactions(10)
p.begin_transaction()
for i in range(20): p.produce(topic, value=f'open-{i}', partition=0)
p.flush(10)
print('open', flush=True)
os._exit(0)
