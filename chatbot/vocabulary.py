"""Question words as the index sees them: stop words dropped, synonyms mapped,
typos corrected against the index's own words, and how topical an unknown word is."""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib.resources import files

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Indel

# scikit-learn's English stop words (its ENGLISH_STOP_WORDS, copied: importing
# scikit-learn for them cost a second at every start; tests/test_vocabulary_tables.py
# keeps the copy equal), less those that carry meaning here ("back",
# "front", "side", "top", "move"...), plus the filler of typed questions.
_SCIKIT_LEARN_STOP_WORDS = """
    a about above across after afterwards again against all almost alone along
    already also although always am among amongst amoungst amount an and another any
    anyhow anyone anything anyway anywhere are around as at back be became because
    become becomes becoming been before beforehand behind being below beside besides
    between beyond bill both bottom but by call can cannot cant co con could couldnt
    cry de describe detail do done down due during each eg eight either eleven else
    elsewhere empty enough etc even ever every everyone everything everywhere except
    few fifteen fifty fill find fire first five for former formerly forty found four
    from front full further get give go had has hasnt have he hence her here
    hereafter hereby herein hereupon hers herself him himself his how however
    hundred i ie if in inc indeed interest into is it its itself keep last latter
    latterly least less ltd made many may me meanwhile might mill mine more moreover
    most mostly move much must my myself name namely neither never nevertheless next
    nine no nobody none noone nor not nothing now nowhere of off often on once one
    only onto or other others otherwise our ours ourselves out over own part per
    perhaps please put rather re same see seem seemed seeming seems serious several
    she should show side since sincere six sixty so some somehow someone something
    sometime sometimes somewhere still such system take ten than that the their them
    themselves then thence there thereafter thereby therefore therein thereupon
    these they thick thin third this those though three through throughout thru thus
    to together too top toward towards twelve twenty two un under until up upon us
    very via was we well were what whatever when whence whenever where whereafter
    whereas whereby wherein whereupon wherever whether which while whither who
    whoever whole whom whose why will with within without would yet you your yours
    yourself yourselves"""
ENGLISH_STOP_WORDS = frozenset(_SCIKIT_LEARN_STOP_WORDS.split())
_KEEP_WORDS = """back front side top bottom behind below above move full thick thin fire
    serious system amount interest bill cry detail empty fill mill name show call
    part first last become becomes became becoming keep find found put give take see"""
_FILLER_WORDS = """im ive id youre dont doesnt isnt cant wont got also really please tell
    know want need thing things way ways actually exactly bother stuff like just okay ok
    lot lots kind sort guys basically literally related anybody somebody good best better
    right ever does did doing explain define definition meaning mean means describe wat wot
    u ur r pls plz abt hw wht people say says said talk talking anyone someone called make
    makes making made getting gets happen happens happened happening whats hows
    thats whos whens theres heres lets didnt wasnt werent arent havent hasnt hadnt wouldnt
    couldnt shouldnt mustnt neednt youll theyll shes hes weve theyve shud shld wud cud coz
    cuz bc tho gonna wanna gotta kinda sorta yeah"""
# Words that tell when, how politely or how worried a message asks, never what it asks
# about: one the index does not know weighs like a word of the story around a question.
_CHATTER_WORDS = """
    recently lately yesterday today tonight tomorrow ago awhile occasionally usually
    currently nowadays anymore monday tuesday wednesday thursday friday saturday sunday
    weekend wondering wonder wondered curious hello hi hey dear thanks thank cheers
    regards sorry advance advice advise suggest suggestion suggestions recommend
    recommendation recommendations question questions answer reply worried worry
    worrying concerned concern scared afraid anxious nervous fretting freaking problem
    problems issue issues trouble difficulty situation experience experiencing
    developed started starting continue continuing ongoing extremely seriously
    terribly totally completely absolutely definitely probably maybe guess think
    thought sure certain wise idea"""
CHATTER = frozenset(_CHATTER_WORDS.split())
STOP_WORDS = (ENGLISH_STOP_WORDS - frozenset(_KEEP_WORDS.split())) | frozenset(
    _FILLER_WORDS.split()
)
# Unknown English words as common as "people" (information below this, in nats) weigh
# the least; rarer ones weigh more, up to full weight RARITY_SPAN nats further on.
COMMON_INFORMATION = 7.0
RARITY_SPAN = 5.0
RARITY_FLOOR = 0.25
SHORT_WORD = 2
# Typos are fixed only in words this long; longer words may be two edits off.
MIN_CORRECTABLE = 4
LONG_WORD = 7
MAX_CORRECTIONS = 8
# An unknown word sharing this many first letters (and 3/4 of itself) with a known
# word is taken for it.
MIN_PREFIX = 6
# A rare English word (seen at most this often in the word list, which keeps some
# common misspellings) one slip from a word of the index that is this many times
# commoner is taken for a typo of it ("ballance" for "balance", not "bake" for "take").
SLIP_MAX_FREQUENCY = 200
SLIP_FREQUENCY_RATIO = 100
TOKEN = re.compile(r"[a-z0-9]+")
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def normalize(text: str) -> str:
    """Lower-case ASCII-folded text with apostrophes and possessives removed, and
    hyphens as spaces, so "self-massage" and "self massage" are the same phrase."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"'s\b|'", "", text).replace("-", " ")


class EnglishWords:
    """English words with their frequencies, from the list pyspellchecker ships: read
    straight into one dict (its SpellChecker keeps a Counter and a set of every letter
    besides, and took twice as long to load, for the two look-ups used here)."""

    def __init__(self) -> None:
        packed = files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
        # Lower-cased before parsing, as pyspellchecker does: the last of two spellings
        # that differ only in case wins.
        self._frequencies: dict[str, int] = json.loads(gzip.decompress(packed).decode().lower())
        self.total_words = sum(self._frequencies.values())

    def __contains__(self, word: object) -> bool:
        return word in self._frequencies

    def __getitem__(self, word: str) -> int:
        """How often `word` was seen; 0 for a word not in the list."""
        return self._frequencies.get(word, 0)


@lru_cache(maxsize=1)
def english() -> EnglishWords:
    """English words with their frequencies (loaded once)."""
    return EnglishWords()


def rarity(word: str) -> float:
    """How topical an unknown word is, from its frequency in English (0.25 to 1). A word
    of one or two letters ("oa", "tv") is too short to tell a subject: it weighs least."""
    if len(word) <= SHORT_WORD:
        return RARITY_FLOOR
    frequencies = english()
    information = math.log(frequencies.total_words / (1 + frequencies[word]))
    return min(1.0, max(RARITY_FLOOR, (information - COMMON_INFORMATION) / RARITY_SPAN))


_LONG_STOP_WORDS = sorted(w for w in STOP_WORDS if len(w) >= MIN_CORRECTABLE)


def _misspelt_stop_word(word: str) -> bool:
    """Whether `word` is one slip (a letter added, dropped, changed or swapped) from
    a stop word of four letters or more."""
    if len(word) < MIN_CORRECTABLE:
        return False
    return bool(
        process.extractOne(
            word, _LONG_STOP_WORDS, scorer=DamerauLevenshtein.distance, score_cutoff=1
        )
    )


class Vocabulary:
    """Turns text into the words the index uses: stop words dropped, editors' synonyms
    (single words or phrases) mapped onto article words, and typos of known words fixed."""

    def __init__(self, synonyms: Mapping[str, str]) -> None:
        self.synonyms = {normalize(k): normalize(v) for k, v in synonyms.items()}
        phrases = sorted((k for k in self.synonyms if " " in k), key=len, reverse=True)
        self._phrases = (
            re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")
            if phrases
            else None
        )
        self.known: frozenset[str] = frozenset()
        self.known_stems: frozenset[str] = frozenset()
        self._lexicon: list[str] = []
        self._counts: Counter[str] = Counter()

    def learn(self, words: Iterable[str]) -> None:
        self.learn_counts(Counter(words))

    def learn_counts(self, counts: Mapping[str, int]) -> None:
        """Learn the index's words, each with how often the index holds it."""
        self._counts = Counter(counts)
        self.known = frozenset([*self._counts, *(k for k in self.synonyms if " " not in k)])
        self.known_stems = frozenset(stem(w) for w in self.known)
        self._lexicon = sorted(w for w in self.known if len(w) >= MIN_CORRECTABLE)

    def words(self, text: str) -> list[str]:
        text = normalize(text)
        if self._phrases is not None:
            text = self._phrases.sub(lambda m: self.synonyms[m.group(0)], text)
        # Synonyms first: a question word such as "where" may stand for an article word.
        words = " ".join(self.synonyms.get(w, w) for w in TOKEN.findall(text)).split()
        return [w for w in words if w not in STOP_WORDS and not w.isdigit()]

    def corrected(self, words: Sequence[str]) -> list[str]:
        """Typos replaced by the known words they were meant to be. A real English word
        the index does not know stays as it is: it is a subject the articles don't cover
        ("neck", "salary"), not a typo; unless it is a rare word one slip from a far
        commoner word of the index ("ballance")."""
        fixed: list[str] = []
        corrections: dict[str, str] = {}
        for word in words:
            if word in self.known or stem(word) in self.known_stems:
                fixed.append(word)
            elif word in english():
                if word not in corrections and len(corrections) < MAX_CORRECTIONS:
                    corrections[word] = self._rare_slip(word) or ""
                # A form the stemmer misses ("cylinder", "cylindrical") is still the word.
                fixed.append(corrections.get(word) or self._by_prefix(word))
            elif word in corrections or len(corrections) < MAX_CORRECTIONS:
                # A question is not a page of typos: past a few, the rest stay unknown.
                corrections.setdefault(word, self._correct(word))
                if corrections[word] != word or not _misspelt_stop_word(word):
                    # A misspelt "should" or "about" is no subject the index lacks.
                    fixed.extend(corrections[word].split())
            else:
                fixed.append(word)
        return fixed

    def _correct(self, word: str) -> str:
        """The known word closest to a typo: fewest edits, then fewest letters added or
        dropped (the commonest slip), then the commoner word in the index."""
        if len(word) < MIN_CORRECTABLE or word.isdigit():
            return word
        limit = 1 if len(word) < LONG_WORD else 2
        matches = process.extract(
            word, self._lexicon, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=8
        )
        if not matches:
            return self._by_prefix(word)
        fixed = str(
            min(
                matches,
                key=lambda m: (m[1], Indel.distance(word, m[0]), -self._counts.get(m[0], 0)),
            )[0]
        )
        return self.synonyms.get(fixed, fixed)

    def _rare_slip(self, word: str) -> str | None:
        """The index word a rare English word is a slip of, if one is far commoner."""
        frequencies = english()
        if len(word) < MIN_CORRECTABLE or frequencies[word] > SLIP_MAX_FREQUENCY:
            return None
        matches = process.extract(
            word, self._lexicon, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=8
        )
        commonest = max((str(m[0]) for m in matches), key=lambda m: frequencies[m], default=None)
        if commonest is None:
            return None
        if frequencies[commonest] < SLIP_FREQUENCY_RATIO * (1 + frequencies[word]):
            return None
        return self.synonyms.get(commonest, commonest)

    def _by_prefix(self, word: str) -> str:
        # "cylinder" for "cylindrical": a long shared beginning is the same word.
        size = max(MIN_PREFIX, (3 * len(word)) // 4)
        if len(word) < size:
            return word
        prefix = word[:size]
        start = bisect.bisect_left(self._lexicon, prefix)
        candidates = list(
            itertools.takewhile(lambda w: w.startswith(prefix), self._lexicon[start:])
        )
        if not candidates:
            return word
        fixed = min(candidates, key=len)
        return self.synonyms.get(fixed, fixed)
