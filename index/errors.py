"""Domain exceptions. Only the CLI and the UI turn them into messages for people."""


class BriefingError(Exception):
    """Base class: something the user can act on, with a one-line message."""


class InputError(BriefingError):
    """A file that cannot be read as an article; the message is the reason."""


class StoreError(BriefingError):
    """The index cannot be opened or written (missing, foreign, unreachable)."""
