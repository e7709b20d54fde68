"""Answering, briefings, the CLI and the app, on top of `index`."""
