from .tracing import setup_tracing


def rebuild(app):
    setup_tracing(app)
    setup_tracing(app)


async def handler(request):
    await request.app.state.pool.connect()
    await request.app.state.pool.connect()
