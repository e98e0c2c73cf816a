"""Storage layer: where the database lives (location), connections and sessions (engine),
schema and migrations (schema), failures said in Chinese (failures), backup and check (backup),
the audit log (audit), bulk writes (bulk) and whole-ledger copies (copy); ``db`` opens an
engine and hands on the names the rest of laomo uses.  Imports only the foundation
(``laomo.errors``, ``laomo.enums``, ``laomo.models``, ``laomo.safe``)."""
