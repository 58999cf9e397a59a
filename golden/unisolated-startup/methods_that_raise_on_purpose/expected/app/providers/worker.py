import asyncio


class Orchestrator:
    def __init__(self) -> None:
        self.worker = None

    async def start_worker(self) -> None:
        if not self.worker:
            raise ValueError("Worker not initialized. Call get_worker() first.")
        asyncio.create_task(self.worker.async_start())


orchestrator = Orchestrator()
