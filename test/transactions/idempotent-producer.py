# Idempotent producer: N records over 2 partitions (value = "<partition>:<seq>"), printing delivery stats.
import sys, json
from confluent_kafka import Producer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 2,
              'batch.num.messages': 500, 'message.timeout.ms': 120000})
errors = []
delivered = [0]
def cb(err, msg):
    if err: errors.append(str(err))
    delivered[0] += 1
    if delivered[0] % 20000 == 0: print(f'delivered {delivered[0]}', flush=True)
for i in range(n):
    part = i % 2
    while True:
        try:
            p.produce(topic, value=f'{part}:{i // 2}', partition=part, on_delivery=cb); break
        except BufferError:
            p.poll(0.05)
    if i % 1000 == 0: p.poll(0)
left = p.flush(120)
print(json.dumps({'left': left, 'errors': errors[:5], 'errorCount': len(errors)}))
