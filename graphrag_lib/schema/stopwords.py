"""Function words ignored when matching relation descriptions to property names."""

# ruff: noqa: RUF001 (Russian prepositions are Cyrillic letters that look Latin, on purpose)

ENGLISH = frozenset(
    {
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and",
        "or", "is", "are", "was", "were", "be", "been", "has", "have", "had", "as", "its",
        "his", "her", "their", "this", "that", "also", "into", "about", "not", "who", "which",
    }
)  # fmt: skip
RUSSIAN = frozenset(
    {
        "в", "во", "на", "и", "или", "с", "со", "по", "к", "ко", "из", "у", "о", "об", "от",
        "для", "за", "при", "до", "является", "был", "была", "были", "это", "его", "ее", "их",
        "не", "который", "которая", "также",
    }
)  # fmt: skip
STOPWORDS = ENGLISH | RUSSIAN
PREPOSITIONS = frozenset(
    {"for", "of", "in", "at", "to", "by", "with", "on", "from", "в", "на", "с", "по", "к", "из"}
)
