"""From article files to a searchable, structure-aware store."""
