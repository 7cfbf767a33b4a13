"""现场检查: starting an inspection, recording findings, finishing it."""
