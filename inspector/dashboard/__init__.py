"""工作台: the live counts an inspector sees first."""
