"""Terms, errors and formats: no I/O, imported by every other layer."""
