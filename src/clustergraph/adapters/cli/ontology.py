"""Commands of the ontology concern (registered on `main` by importing this module)."""

from __future__ import annotations
