"""Succession: who inherits a withdrawing supplier's designs, and traceable per-recipient copies.

Pure parts (no database): `domain` (eligibility rules and ranking), `assignment` (many cases
over many successors under capacity limits), `terms` (what a successor accepts before release),
`copies` (per-recipient marked copies, one module per format), `fingerprint` (text similarity)
and `trace` (which copy is this file?). The services layer wires them to the database.
"""
