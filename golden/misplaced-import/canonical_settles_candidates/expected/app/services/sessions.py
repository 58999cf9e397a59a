def get_db():
    yield "other"
