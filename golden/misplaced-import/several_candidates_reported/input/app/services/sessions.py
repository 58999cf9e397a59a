def get_session():
    yield "services"
