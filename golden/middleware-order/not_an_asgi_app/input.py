import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CORSMiddleware, RateLimitMiddleware

broker = RedisBroker(url="redis://localhost")
broker.add_middleware(CORSMiddleware())
broker.add_middleware(RateLimitMiddleware)
dramatiq.set_broker(broker)


class Handler:
    def __init__(self, app):
        self.app = app

    def setup(self):
        self.app.add_middleware(CORSMiddleware)
        self.app.add_middleware(RateLimitMiddleware)
