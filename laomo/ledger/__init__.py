"""Ledger intake: the import kinds and their columns, value parsing, file readers, the
streaming importer and single-record registration.  Builds on ``laomo.store``."""
