"""The Qt desktop UI: a thin layer over the services. Only this package imports PySide6."""
