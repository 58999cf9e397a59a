def get_db():
    yield "legacy"


def helper():
    return 1
