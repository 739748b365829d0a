"""Adapters: the command line and the HTTP server. They parse input, format output, map errors."""
