"""Supervisor desk: the annual inspection plan, complaints (举报) and dispatching tasks to inspectors."""
