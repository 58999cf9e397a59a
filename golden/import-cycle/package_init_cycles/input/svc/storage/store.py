from svc.storage import __name__ as package


class Store:
    name = package
