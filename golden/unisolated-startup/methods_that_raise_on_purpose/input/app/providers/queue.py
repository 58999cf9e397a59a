from app.providers import base


class QueueProvider(base.Provider):
    @classmethod
    def from_env(cls) -> "QueueProvider":
        return cls()


queue: QueueProvider = QueueProvider.from_env()
