"""The package version, from package metadata (pyproject.toml is its one source): a leaf module."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mi_coder")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
