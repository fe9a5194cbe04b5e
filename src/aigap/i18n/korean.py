"""Small helpers for natural Korean: particles chosen by pronunciation, and noun lists.

A particle (조사) depends on whether the last *spoken* syllable has a final consonant (받침):
은/는, 이/가, 을/를, 과/와, 이다/다, and (으)로, which takes 로 after ㄹ as after a vowel
(서울로, 인재로 but 연구원으로). Latin letters and digits are read the Korean way:
"AI" is 에이아이 (AI는), "R&D" 알앤디 (R&D가), "LLM" 엘엘엠 (LLM은), "5G" 오지 (5G가),
"2024" 이천이십사 (2024가), "10" 십 (10을), "1,000" 천 (1,000은), "7" 칠 (7로). Trailing
parentheses, quotes and closing punctuation are skipped: "투자·상업화(6.2점)와".

Lists: two nouns are joined with 와/과 ("인프라와 정책"); three or more with commas
("인재, 연구, 투자"), as Korean writers do. The English-style "인재, 연구와 투자" is grammatical
but reads as translation, so it is not the default (``style="and_last"`` gives it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

# Final consonants (종성) in Unicode order; index 0 = none.
_JONG = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ",
         "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")

# Final consonant of each letter's Korean reading (에이, 비, 씨, ..., 엘, 엠, 엔, 알, ...).
_LETTER_FINAL = {c: "" for c in "ABCDEFGHIJKOPQSTUVWXYZ"} | {
    "L": "ㄹ", "M": "ㅁ", "N": "ㄴ", "R": "ㄹ"}

# Digits read in Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ",
                "7": "ㄹ", "8": "ㄹ", "9": ""}
# A number ending in zeros is read by its last unit: 십 백 천 만 (십만 백만 천만) 억 (십억 ...)
# 조 (십조 ...).
_ZEROS_FINAL = {1: "ㅂ", 2: "ㄱ", 3: "ㄴ"} | dict.fromkeys(range(4, 8), "ㄴ") \
    | dict.fromkeys(range(8, 12), "ㄱ") | dict.fromkeys(range(12, 16), "")

# Symbols that end a word and are read aloud.
_SYMBOL_FINAL = {"%": ""}  # 퍼센트

# Common English words whose last sound is not obvious from the spelling rules below.
_WORD_FINAL = {"google": "ㄹ", "linkedin": "ㄴ", "python": "ㄴ", "openai": "", "nvidia": "",
               "microsoft": "", "chatgpt": "", "github": "ㅂ", "facebook": "ㄱ",
               "apple": "ㄹ", "samsung": "ㅇ", "naver": "", "kakao": ""}

_TRAILING = re.compile(r"(\s*\([^()]*\)|[\s\"'’”」』)\].,!?:;·])+$")

Pair = Literal["은/는", "이/가", "을/를", "과/와", "으로/로", "이다/다", "이나/나", "이라/라"]
_PAIRS: dict[str, tuple[str, str]] = {
    "은/는": ("은", "는"), "이/가": ("이", "가"), "을/를": ("을", "를"), "과/와": ("과", "와"),
    "으로/로": ("으로", "로"), "이다/다": ("이다", "다"), "이나/나": ("이나", "나"),
    "이라/라": ("이라", "라"),
}
# Either member of a pair names it: particle(w, "는") == particle(w, "은").
_ALIAS = {m: k for k, pair in _PAIRS.items() for m in pair} | {"와/과": "과/와",
                                                               "는/은": "은/는",
                                                               "가/이": "이/가",
                                                               "를/을": "을/를",
                                                               "로/으로": "으로/로"}
# Format specs of the catalogue's templates that choose a particle: {who:은}, {grp:과/와}.
PARTICLE_SPECS = frozenset(_ALIAS) | frozenset(_PAIRS)


def final_consonant(word: str) -> str | None:
    """The final consonant of ``word``'s last spoken syllable: '' for none, e.g. 'ㄹ'.

    None when it cannot be told (an unknown symbol at the end, an empty word).
    """
    base = _TRAILING.sub("", word.strip())
    if not base:
        return None
    last = base[-1]
    if "가" <= last <= "힣":
        return _JONG[(ord(last) - 0xAC00) % 28]
    if last.isdigit():
        digits = re.search(r"[\d,]+$", base)
        run = (digits.group(0) if digits else last).replace(",", "").lstrip("0") or "0"
        zeros = len(run) - len(run.rstrip("0"))
        if zeros and zeros < len(run) and zeros in _ZEROS_FINAL:
            return _ZEROS_FINAL[zeros]
        return _DIGIT_FINAL[last]
    if last in _SYMBOL_FINAL:
        return _SYMBOL_FINAL[last]
    if last.isascii() and last.isalpha():
        token = re.search(r"[A-Za-z]+$", base)
        letters = token.group(0) if token else last
        return _latin_final(letters)
    return None


def _latin_final(letters: str) -> str:
    """Final consonant of a Latin-script token as Koreans read it.

    Upper-case tokens (AI, OECD, R&D's D) are spelled out letter by letter; words are read
    as loanwords, where only final l, m, n and ng keep a 받침 reliably (구글, 파이썬, 삼성).
    """
    low = letters.lower()
    if low in _WORD_FINAL:
        return _WORD_FINAL[low]
    if letters.isupper() or len(letters) == 1:
        return _LETTER_FINAL[letters[-1].upper()]
    if low.endswith("ng"):
        return "ㅇ"
    return {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ"}.get(low[-1], "")


def has_batchim(word: str) -> bool | None:
    """Whether ``word``'s last spoken syllable has a final consonant (None if unknown)."""
    fc = final_consonant(word)
    return None if fc is None else fc != ""


def particle(word: str, which: str) -> str:
    """``word`` plus the particle of the pair ``which`` that fits it.

    ``which``: a pair such as "은/는" or either member ("은", "는", "와", "로", ...).
    When the final sound cannot be told both forms are written, as "X은(는)".
    """
    key = _ALIAS.get(which, which)
    if key not in _PAIRS:
        raise ValueError(f"unknown particle {which!r}; use one of {', '.join(_PAIRS)}")
    with_final, without_final = _PAIRS[key]
    fc = final_consonant(word)
    if fc is None:
        return f"{word}{with_final}({without_final})"
    if key == "으로/로":  # ㄹ takes 로 like a vowel: 서울로, 7로
        return word + (without_final if fc in ("", "ㄹ") else with_final)
    return word + (with_final if fc else without_final)


def topic(word: str) -> str:
    """은/는: 한국은, 싱가포르는, AI는."""
    return particle(word, "은/는")


def subject(word: str) -> str:
    """이/가: 미국이, 중국이, R&D가."""
    return particle(word, "이/가")


def obj(word: str) -> str:
    """을/를: 인재를, 연구를, 격차를."""
    return particle(word, "을/를")


def with_(word: str) -> str:
    """과/와 ('and', 'with'): 한국과, 미국과, 인프라와."""
    return particle(word, "과/와")


def by(word: str) -> str:
    """(으)로: 인재로, 서울로, 투자·상업화로, 연구원으로."""
    return particle(word, "으로/로")


def join_ko(items: Sequence[str], style: Literal["natural", "and_last", "dot"] = "natural"
            ) -> str:
    """Join nouns as a Korean writer would.

    ``natural``: "A", "A와 B", "A, B, C" (commas for three or more).
    ``and_last``: "A, B와 C" (the English pattern, for when the last item must be set off).
    ``dot``: "A·B·C" (가운뎃점 for tight parallel nouns; avoid with names that hold a '·').
    """
    xs = [str(x) for x in items if str(x)]
    if not xs:
        return ""
    if len(xs) == 1:
        return xs[0]
    if style == "dot":
        return "·".join(xs)
    if len(xs) == 2:
        return f"{with_(xs[0])} {xs[1]}"
    if style == "and_last":
        return ", ".join(xs[:-2]) + f", {with_(xs[-2])} {xs[-1]}"
    return ", ".join(xs)


def join_en(items: Sequence[str], conj: str = "and") -> str:
    """"A", "A and B", "A, B and C" (no serial comma, as in British usage)."""
    xs = [str(x) for x in items if str(x)]
    if len(xs) <= 1:
        return "".join(xs)
    return ", ".join(xs[:-1]) + f" {conj} {xs[-1]}"
