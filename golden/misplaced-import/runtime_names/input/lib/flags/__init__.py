"""Flags are created at import time from an enum, like the stdlib's re module does."""
import enum


class Flag(enum.IntFlag):
    ASCII = 1
    VERBOSE = 2


globals().update(Flag.__members__)
