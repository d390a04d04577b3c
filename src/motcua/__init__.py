"""motcua — online public-service portal with an electronic one-stop shop."""

__version__ = "0.1.0"
