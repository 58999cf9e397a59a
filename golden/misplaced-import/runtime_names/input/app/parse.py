from lib import flags
from lib.flags import VERBOSE
from app import __doc__ as package_doc

PATTERN_FLAGS = flags.ASCII | VERBOSE
DOC = package_doc
