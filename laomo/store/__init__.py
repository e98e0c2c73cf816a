"""Storage layer: where the database lives, engines and sessions, schema and migrations,
the audit log, backups and whole-ledger copies.  Imports only the foundation
(``laomo.errors``, ``laomo.enums``, ``laomo.models``, ``laomo.safe``)."""
