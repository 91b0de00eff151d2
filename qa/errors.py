"""The errors citebot raises, for the edges (bot/, eval/, the command line) to catch: each message is one line."""
from index.errors import (CitebotError, IndexIncompatible, IndexNotFound, ModelError, SettingError, check_choice,
                          check_range)

__all__ = ["CitebotError", "IndexIncompatible", "IndexNotFound", "ModelError", "SettingError", "check_choice",
           "check_range"]
