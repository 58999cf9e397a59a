try:
    import orjson as json
except ImportError:
    import json

try:
    from app.api.routes import admin
    app.include_router(admin.router)
except ValueError:
    pass

try:
    import uvloop
except ImportError:
    pass
