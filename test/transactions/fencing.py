# Two producers with one transactional.id: the second fences the first, whose writes stay invisible.
import sys, json
from confluent_kafka import Producer, KafkaException
bootstrap, topic = sys.argv[1], sys.argv[2]
conf = {'bootstrap.servers': bootstrap, 'transactional.id': 'fence-' + topic}
zombie = Producer(conf)
zombie.init_transactions(10)
zombie.begin_transaction()
for i in range(10): zombie.produce(topic, value=f'zombie-{i}', partition=0)
zombie.flush(10)
fresh = Producer(conf)
fresh.init_transactions(10)
fresh.begin_transaction()
for i in range(10): fresh.produce(topic, value=f'fresh-{i}', partition=0)
fresh.commit_transaction(10)
zombie_error = None
try:
    for i in range(10): zombie.produce(topic, value=f'zombie-late-{i}', partition=0)
    zombie.commit_transaction(10)
except KafkaException as e:
    zombie_error = e.args[0].name() if e.args else str(e)
print(json.dumps({'zombieError': zombie_error}))
