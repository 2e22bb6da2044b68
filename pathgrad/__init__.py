"""pathgrad's command line: ``pathgrad demo`` and friends. The libraries are the packages autograd, nn and optim."""


def __getattr__(name: str) -> str:
    # __version__ comes from the installed package's metadata, so that it is pyproject.toml's version; it is read
    # on first use only (importlib.metadata scans sys.path), not on every ``pathgrad`` command
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("pathgrad")
        except PackageNotFoundError:  # a source tree that was never pip-installed
            return "0+unknown"
    raise AttributeError(f"module 'pathgrad' has no attribute {name!r}")
