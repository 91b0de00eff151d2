"""Errors the index package raises; each message is one line a user can act on."""


class CitebotError(Exception):
    """Base class: message is a single line meant for the user."""


class IndexNotFound(CitebotError):
    pass


class IndexIncompatible(CitebotError):
    pass


class ModelError(CitebotError):
    pass


class SettingError(CitebotError, ValueError):
    pass


def check_choice(name: str, value: object, choices) -> None:
    """Raise SettingError naming the bad value and the valid ones (taken from ``choices`` itself)."""
    valid = list(choices)
    if value not in valid:
        raise SettingError(f"invalid {name} {value!r}; valid values: {', '.join(map(repr, valid))}")


def check_range(name: str, value, lo=None, hi=None) -> None:
    """Raise SettingError naming the bad value when it is outside [lo, hi] (either bound may be None)."""
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if lo is not None and hi is not None:
            rule = f"between {lo} and {hi}"
        else:
            rule = f"at least {lo}" if lo is not None else f"at most {hi}"
        raise SettingError(f"{name} must be {rule} (got {value!r})")
