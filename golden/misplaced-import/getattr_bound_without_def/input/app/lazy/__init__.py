"""lazy_loader's idiom: the module __getattr__ comes out of a tuple assignment."""
import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(__name__, submod_attrs={"expat": ["ExpatError"]})
