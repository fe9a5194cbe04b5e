"""Small helpers for English text: articles, possessives and capitals around names.

They are format specs of the catalogue's templates (``{who:the}``, ``{name:poss}``,
``{a:the+cap}``), so the English grammar stays with the English words.
"""

from __future__ import annotations

# Country names that take an article: the United States, the Netherlands.
_ARTICLE = ("United ", "Netherlands", "Philippines", "Czech Republic", "Republic of",
            "Bahamas", "Gambia", "Maldives")


def the(name: str) -> str:
    """'United States' -> 'the United States'; 'Korea' stays 'Korea'."""
    return f"the {name}" if name.startswith(_ARTICLE) else name


def possessive(name: str) -> str:
    """"Korea's", "the United States'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def capitalise(text: str) -> str:
    """First letter upper-case, the rest as is ('the United States' -> 'The United States')."""
    return text[:1].upper() + text[1:]


def mid_sentence(name: str) -> str:
    """'Private AI investment' -> 'private AI investment'; acronyms ('GDP', 'AI ...') kept."""
    first = name.split(" ")[0]
    if len(first) > 1 and first[1:2].isupper():
        return name
    return name[:1].lower() + name[1:]


TEXT_SPECS = {"the": the, "poss": possessive, "cap": capitalise, "mid": mid_sentence}
