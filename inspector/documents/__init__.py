"""执法文书: numbering, filling, rendering and the document life cycle."""
