"""The demo county: a deterministic data generator and ``laomo quickstart``."""
