"""Measures taken when a purchase is not enough (issue 17): facility acquisition (Art. 29) with
its entrustment, annual reports and transfer, business succession support (Art. 4), state
custody of documents without a successor, or negotiation reopened."""
