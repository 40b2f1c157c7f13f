"""finfacts: offline extraction of quantitative facts from Chinese financial news."""

__version__ = "0.1.0"
