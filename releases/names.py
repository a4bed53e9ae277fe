"""Name normalisation: one person or portfolio is one record however the source spells it.

`minister_key` and `portfolio_key` fold a spelling into a matching key: case, spacing,
apostrophe style, diacritics and (for people) honorifics do not matter. The display name
keeps the source's own spelling, tidied. `is_junk_minister` spots the link text and URLs
that the old site's scraper left in minister lists.
"""

import functools
import re
import unicodedata

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʻ": "'", "`": "'", "´": "'"})
SPACES = re.compile(r"\s+")
# Zero-width spaces and C0/C1 control characters: invisible, and the C1 ones in titles are
# remnants of mojibake ("unhelpful\u009d").
INVISIBLE = re.compile("[\u200b\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Honorifics and post-nominals that come and go between releases about the same person.
HONOURS = r"(?:rt\.?\s+hon\.?|right\s+hon(?:ourable)?\.?|hon\.?|honourable)"
HONORIFICS = re.compile(rf"^(?:(?:the\s+)?(?:{HONOURS}|dr\.?|sir|dame)\s+)+", re.IGNORECASE)
POSTNOMINALS = re.compile(r"(?:,?\s+(?:kc|qc|mp|onz|gnzm|dcnzm|knzm|cnzm))+$", re.IGNORECASE)
# A display name drops "Hon" and "Rt Hon" but keeps "Dr", "Sir" and "Dame".
LEADING_HONOURS = re.compile(rf"^{HONOURS}\s+", re.IGNORECASE)

# Words that never appear in a person's name but fill the scraper's link text.
JUNK_WORDS = frozenset(
    """pdf word doc document download view click here site report summary analysis policy
    framework statement plan review list process category minister copy details version
    executive recipients available attached speech""".split()
)
NAME_PARTICLES = frozenset(
    {"te", "van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "o"}
)
SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "in", "into", "of", "on", "or", "the", "to"}
)


def tidy(text):
    """Drop invisible characters, collapse runs of white space (including non-breaking
    spaces) and trim the ends."""
    return SPACES.sub(" ", INVISIBLE.sub("", text)).strip()


def _fold(text):
    text = unicodedata.normalize("NFKD", tidy(text).translate(APOSTROPHES))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def minister_key(spelling):
    """'Hon Damien O’Connor', 'damien  o'connor' and 'Rt Hon Damien O'Connor KC' -> one key."""
    text = tidy(spelling).translate(APOSTROPHES)
    return _fold(POSTNOMINALS.sub("", HONORIFICS.sub("", text)))


def portfolio_key(spelling):
    """'Associate  Minister of State Services' and 'associate minister of state services'."""
    return _fold(spelling)


def minister_display_name(spelling):
    """The person's name as the source spelt it, without 'Hon'/'Rt Hon' and extra spaces."""
    return LEADING_HONOURS.sub("", tidy(spelling).translate(APOSTROPHES))


def portfolio_display_name(spelling):
    """Tidy spacing and apostrophes, and capitalise words such as the 'health' in
    'Occupational Safety and health' (small words like 'and' stay lower case)."""
    words = tidy(spelling).translate(APOSTROPHES).split(" ")
    return " ".join(
        word[:1].upper() + word[1:] if i == 0 or word not in SMALL_WORDS else word
        for i, word in enumerate(words)
    )


def looks_like_url(text):
    return bool(
        re.search(
            r"://|^www\.|\.(?:html?|pdf|php|aspx?)\b|\.govt\.nz|\.co\.nz", text, re.IGNORECASE
        )
    )


# An import asks about the same few thousand spellings 55,000 times.
@functools.lru_cache(maxsize=4096)
def is_junk_minister(spelling):
    """True for scraper junk such as 'View/download as PDF file', a URL or 'Mururoa'.

    A person's name here is two to six words, each capitalised unless it is a particle
    ('Georgina te Heuheu', 'Brooke van Velden'), with no sentence punctuation.
    """
    text = tidy(minister_display_name(spelling))
    if not text or looks_like_url(text) or re.search(r"[,;:/()\[\]]|\s-\s|\d", text):
        return True
    words = HONORIFICS.sub("", text).split(" ")
    if not 2 <= len(words) <= 6:
        return True
    for word in words:
        bare = word.strip(".'’")
        if bare.casefold() in JUNK_WORDS:
            return True
        if bare[:1].islower() and bare not in NAME_PARTICLES:
            return True
    return False


@functools.lru_cache(maxsize=4096)
def is_junk_portfolio(spelling):
    """A portfolio name is never a URL; anything else is taken as the source says."""
    return looks_like_url(spelling)
