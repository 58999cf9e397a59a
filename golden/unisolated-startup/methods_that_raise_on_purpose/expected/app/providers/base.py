class Provider:
    def __init__(self, url: str | None = None) -> None:
        self.url = url

    async def connect(self) -> None:
        if not self.url:
            raise ValueError("Provider URL is not configured; set QUEUE_URL")
