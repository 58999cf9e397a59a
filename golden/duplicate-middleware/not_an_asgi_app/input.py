import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AgeLimit

broker = RedisBroker()
broker.add_middleware(AgeLimit())
broker.add_middleware(AgeLimit())
dramatiq.set_broker(broker)
