"""Conflicts of interest: officials declare their links to companies, and every feature that lets
an official act on a company's case refuses a linked one (`services.refuse_if_conflicted`)."""
