def get_session():
    yield "workers"
