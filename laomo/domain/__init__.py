"""Domain rules written once: a studio's status from its designations, the predicates
that say which member is active or which mentorship runs on a day, studio lookup, and
number/date helpers.  Used alike by facts, assessment, awards and reports."""
