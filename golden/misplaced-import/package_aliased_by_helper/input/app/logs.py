import logging


def setup_logging(name):
    """Takes __name__ too, but leaves sys.modules alone."""
    return logging.getLogger(name)
