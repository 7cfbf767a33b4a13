"""Inspector (安全生产现场执法助手): offline-first desktop app for county work-safety inspectors."""

__version__ = "0.1.0"
