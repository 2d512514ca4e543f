"""python3-confluent-kafka's SchemaRegistryClient, JSON Schema and Protobuf serializers against
Samsa's schema registry and broker. Prints one JSON object per step for the Node test to check.

Usage: registry_client.py REGISTRY_URL BOOTSTRAP
"""
import json
import sys

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

url, bootstrap = sys.argv[1], sys.argv[2]
client = SchemaRegistryClient({"url": url})


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


# --- SchemaRegistryClient -------------------------------------------------------------------
v1 = json.dumps({"type": "record", "name": "Py", "fields": [{"name": "a", "type": "string"}]})
v2 = json.dumps({"type": "record", "name": "Py", "fields": [{"name": "a", "type": "string"},
                                                           {"name": "b", "type": "int", "default": 0}]})
id1 = client.register_schema("py-avro-value", Schema(v1, "AVRO"))
id2 = client.register_schema("py-avro-value", Schema(v2, "AVRO"))
again = client.register_schema("py-avro-value", Schema(v1, "AVRO"))
latest = client.get_latest_version("py-avro-value")
looked = client.lookup_schema("py-avro-value", Schema(v1, "AVRO"))
fetched = client.get_schema(id1)
# get_schema answers from the client's cache; ask the registry itself for the stored text
stored = client._rest_client.get("schemas/ids/{}".format(id1))["schema"]
emit("client", id1=id1, id2=id2, again=again, latest_version=latest.version, latest_id=latest.schema_id,
     lookup_version=looked.version, stored=stored, fetched_type=fetched.schema_type,
     versions=client.get_versions("py-avro-value"), subjects=client.get_subjects())

client.set_compatibility("py-avro-value", "FORWARD")
bad = json.dumps({"type": "record", "name": "Py", "fields": [{"name": "c", "type": "int"}]})
compatible = client.test_compatibility("py-avro-value", Schema(bad, "AVRO"))
try:
    client.register_schema("py-avro-value", Schema(bad, "AVRO"))
    refused = None
except SchemaRegistryError as e:
    refused = {"status": e.http_status_code, "code": e.error_code, "message": e.error_message}
try:
    client.get_version("py-avro-value", 9)
    missing = None
except SchemaRegistryError as e:
    missing = {"status": e.http_status_code, "code": e.error_code}
emit("compatibility", level=client.get_compatibility("py-avro-value"), compatible=compatible, refused=refused,
     missing=missing)
deleted_version = client.delete_version("py-avro-value", 2)
# permanent=True soft-deletes, then deletes permanently (and returns the soft delete's versions)
deleted = client.delete_subject("py-avro-value", permanent=True)
emit("deletes", version=deleted_version, deleted=deleted, left=client.get_subjects())

# --- JSON Schema serializer through the broker ------------------------------------------------
json_schema = json.dumps({"title": "Reading", "type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"}},
                          "required": ["n"]})
producer = Producer({"bootstrap.servers": bootstrap})
json_ser = JSONSerializer(json_schema, client)
for i in range(5):
    producer.produce("py-json", value=json_ser({"n": i, "s": "py"}, SerializationContext("py-json", MessageField.VALUE)))

# --- Protobuf serializer: a message class built from a descriptor (no protoc here) ------------
fdp = descriptor_pb2.FileDescriptorProto()
fdp.name = "py_events.proto"
fdp.package = "py"
fdp.syntax = "proto3"
msg = fdp.message_type.add()
msg.name = "Event"
for number, (name, ftype) in enumerate([("id", descriptor_pb2.FieldDescriptorProto.TYPE_INT64),
                                         ("kind", descriptor_pb2.FieldDescriptorProto.TYPE_STRING)], start=1):
    field = msg.field.add()
    field.name = name
    field.number = number
    field.type = ftype
    field.label = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
pool = descriptor_pool.DescriptorPool()
pool.Add(fdp)
Event = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("py.Event"))
proto_ser = ProtobufSerializer(Event, client)
for i in range(5):
    producer.produce("py-proto", value=proto_ser(Event(id=1000 + i, kind="py"),
                                                 SerializationContext("py-proto", MessageField.VALUE)))
producer.flush(15)
emit("produced", json=5, proto=5)

# --- Records Samsa's serializers wrote, read with Python's deserializers ----------------------
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "py-registry-reader",
                     "auto.offset.reset": "earliest"})
consumer.subscribe(["node-json", "node-proto"])
json_de = JSONDeserializer(json_schema)
proto_de = ProtobufDeserializer(Event)
got = {"node-json": [], "node-proto": []}
for _ in range(200):
    m = consumer.poll(0.2)
    if m is None or m.error():
        if sum(len(v) for v in got.values()) >= 6:
            break
        continue
    ctx = SerializationContext(m.topic(), MessageField.VALUE)
    if m.topic() == "node-json":
        got["node-json"].append(json_de(m.value(), ctx))
    else:
        e = proto_de(m.value(), ctx)
        got["node-proto"].append({"id": e.id, "kind": e.kind})
consumer.close()
emit("consumed", **got)
