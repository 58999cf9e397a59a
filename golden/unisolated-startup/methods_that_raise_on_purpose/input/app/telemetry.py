class Exporter:
    def start(self) -> None:
        self.running = True


class Collector:
    def start(self) -> None:
        raise RuntimeError("the collector needs an endpoint")


class Registry:
    def __init__(self) -> None:
        self.exporter = Exporter()
        self.collector = Collector()
