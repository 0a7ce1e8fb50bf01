"""Reading and writing tables, and resolving their layout: which columns hold the text, speaker and transcript."""

from .._exports import lazy

_NAMES = {
    "Layout": "._columns",
    "find_one": "._columns",
    "with_layout": "._columns",
    "read_table": "._tables",
    "write_pages": "._tables",
    "read_chunks": "._tables",
    "write_table": "._tables",
    "write_text": "._tables",
    "check_output": "._tables",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)
__all__ = sorted(_NAMES)
