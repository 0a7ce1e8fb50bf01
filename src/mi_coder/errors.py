"""The one exception users see for bad input: a one-line message naming where and what to do."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

# Messages speak the caller's language: flags and file rows on the command line, keyword
# arguments and index labels from Python. The CLI switches this on for the length of a command.
_CLI_WORDS: ContextVar[bool] = ContextVar("mi_coder_cli_words", default=False)


class InputError(ValueError):
    """Bad input (file, row or column); the CLI prints it on one line and exits with code 2."""


class ModelIntegrityError(InputError):
    """A model file whose SHA-256 does not match its manifest (or has none); never unpickled."""


class Notice(UserWarning):
    """Not a problem, but a reading of the input the user should know of (printed as a note by the CLI)."""


def cli_words() -> bool:
    """Whether messages are for the command line (flags, file rows) rather than Python (keywords, index labels)."""
    return _CLI_WORDS.get()


@contextmanager
def speaking(cli: bool = True):
    """Within this block, messages use the CLI's words (`cli=True`) or Python's; workers replay the caller's."""
    token = _CLI_WORDS.set(cli)
    try:
        yield
    finally:
        _CLI_WORDS.reset(token)


def option(name: str) -> str:
    """An option as the user gives it: `--text-col` on the command line, `text_col=` from Python."""
    return f"--{name.replace('_', '-')}" if cli_words() else f"{name}="
