import asyncio


class SessionManager:
    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._evict())

    async def shutdown(self) -> None:
        if self._task:
            self._task.cancel()

    def get(self, sid: str) -> dict | None:
        return self.sessions.get(sid)

    async def _evict(self) -> None:
        while True:
            await asyncio.sleep(60)
            self.sessions.clear()


session_manager = SessionManager()
