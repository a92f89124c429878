"""Use-cases: take a donation, settle charges in doubt, record cash and checks, totals."""
