"""Domain exceptions of the assistant, on top of the index's."""
from index.errors import BriefingError, InputError, StoreError


class UsageError(BriefingError):
    """A command used wrongly (a missing path, a bad option value): exit status 2."""


__all__ = ["BriefingError", "InputError", "StoreError", "UsageError"]
