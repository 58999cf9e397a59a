import importlib


def make_getattr(table):
    def __getattr__(attr):
        if attr in table:
            return getattr(importlib.import_module(table[attr]), attr)
        raise AttributeError(attr)

    return __getattr__


__getattr__ = make_getattr({"TimeoutError": "asyncio"})
