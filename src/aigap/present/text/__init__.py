"""Text built from results: ``sentence(result, lang)`` and ``document(result)``, dispatched on
the result's type to the builders of each analysis area (diagnosis, targets, claims).

The analyses compute and hold numbers and names (data); every word of a sentence comes from
the catalogue (:mod:`aigap.i18n`), so a new language needs a catalogue file, not code.
"""

from aigap.present.text import (  # noqa: F401  (registrations)
    claims,
    diagnosis,
    reconcile,
    strategy,
    targets,
    uncertainty,
)
from aigap.present.text._dispatch import document, sentence
from aigap.present.text.claims import claims_frame
from aigap.present.text.diagnosis import group_phrase, interval_text, method_note

__all__ = ["claims_frame", "document", "group_phrase", "interval_text", "method_note",
           "sentence"]
