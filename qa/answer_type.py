"""What kind of answer a question asks for, and whether a sentence offers one.

A sentence that repeats the question's words but holds no name for a "who" question,
no number for a "how many" question, no date for a "when" question is weak evidence.
"""
from __future__ import annotations

import re
from enum import Enum


class AnswerType(Enum):
    ANY = "any"
    NUMBER = "number"
    TIME = "time"
    NAME = "name"      # an organisation or place: a capitalised word the question lacks
    PERSON = "person"  # who/whom/whose: a run of two or more capitalised words the question lacks


_NUMBER_Q = re.compile(r"\b(how (many|much|long|old|far|often|large|big|high|tall)|what (percentage|percent|"
                       r"share|number|amount|proportion|fraction|factor|size)|how many|"
                       # "the vote count", "page count" (not "the Count of Flanders")
                       r"(?:vote|word|page|line|row|head|user|node|edge|file|character|byte|item|member|death|"
                       r"casualty|player|seat)s? count|"
                       # "the maximum line length", "what minimum number of ..."
                       r"(maximum|minimum|max|min|largest|smallest|longest|shortest|highest|lowest) (\w+ )?"
                       r"(number|length|size|value|count|amount|width|depth|height|age|price|cost|speed))\b", re.I)
_TIME_Q = re.compile(r"\b(when|what (year|date|day|month|time|decade|century)|which (year|date|day|month|"
                     r"decade|century)|on what (date|day)|in what (year|month))\b", re.I)
_PERSON_Q = re.compile(r"^\W*(who|whom|whose)\b", re.I)
_NAME_Q = re.compile(r"^\W*where\b|\b(who|whom|whose)\b|"
                     # "which city ...", also after a preposition ("In which city ...", "From what country ...")
                     r"^\W*(?:(?:in|at|from|to|for|of|on|by|with|into|under)\s+)?(which|what) (person|company|"
                     r"organi[sz]ation|group|country|countries|city|cities|town|state|province|member|president|"
                     r"official|party|department|agency|team|newspaper|university|institution)\b|"
                     # "what is the name of ...", "what were the names of ..."
                     r"\bwhat (is|was|are|were) (the|their|his|her|its) names?\b", re.I)
# Cardinals and amounts, digits ("4,200") or words; an ordinal ("second term") says which one, not how many.
# (Digits did not count until 2026-12-07: docs/performance.md, "Digits as numbers".)
_NUMBER = re.compile(r"(\d[\d,.]*|(?<![.\w])(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                     r"forty|fifty|hundred|thousand|million|billion|dozen|half|twice|several)\b)", re.I)
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_TIME = re.compile(rf"\b(\d{{1,4}}|{_MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                   r"today|tomorrow|yesterday|tonight|morning|evening|night|week|weeks|month|months|year|years|"
                   r"decade|century|centuries|spring|summer|autumn|fall|winter|ago|later|earlier|since|"
                   r"before|after|until)\b", re.I)
_PERSON = re.compile(r"\b[A-Z][\w’'\-]*[a-z]\.?(?:\s+(?:[A-Z]\.\s+)?[A-Z][\w’'\-]*[a-z])+")
_CAPS = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'\-]*[a-zA-Z]")


def question_type(question: str) -> AnswerType:
    if _NUMBER_Q.search(question):
        return AnswerType.NUMBER
    if _TIME_Q.search(question):
        return AnswerType.TIME
    if _PERSON_Q.search(question):
        return AnswerType.PERSON
    if _NAME_Q.search(question):
        return AnswerType.NAME
    return AnswerType.ANY


def offers(kind: AnswerType, sentence: str, question: str) -> bool:
    """Does the sentence contain an answer of this kind that the question itself lacks?"""
    if kind is AnswerType.ANY:
        return True
    q_words = set(_words(question))
    if kind is AnswerType.NUMBER:
        found = _NUMBER.findall(_ENUMERATOR.sub("", sentence, count=1))
    elif kind is AnswerType.TIME:
        found = _TIME.findall(sentence)
    elif kind is AnswerType.PERSON:
        return any(any(w not in q_words for w in _words(run)) for run in _PERSON.findall(sentence))
    else:
        found = _CAPS.findall(sentence.strip())
    words = [w if isinstance(w, str) else w[0] for w in found]
    return any(w not in q_words for word in words for w in _words(word))


# "2) Any line …", "(a) …", "3. Lines …": which item of a list, not a quantity
_ENUMERATOR = re.compile(r"^\s*\(?(?:\d{1,2}|[a-z])[.)]\s+")
_POSSESSIVE = re.compile(r"['’]s\b", re.I)


def _words(text: str) -> list[str]:
    """Lower-case words, a possessive 's dropped ("Giammattei’s" is the question's "Giammattei")."""
    return re.findall(r"\w+", _POSSESSIVE.sub("", text).lower())


_SMALL = "one|two|three|four|five|six|seven|eight|nine|ten"
# A quantity asked for by what it measures: the answer's number must carry one of its units ("How much memory does
# the server need?" is not answered by "it gets stuck at 87%").
_TEXT_THING = r"(?:line|name|file ?name|string|field|key|password|comment|value|identifier|label|message|title|word)s?"
_MEASURES = (
    # the length of a piece of text: in characters (bytes, columns), not in "3 lines" or "two newlines"
    (re.compile(rf"\b(line length|length of (?:a|an|the|each|any) (?:\w+ )?{_TEXT_THING}|{_TEXT_THING} length)\b", re.I),
     re.compile(r"\d[\d,]*(?:\s+|-)(?:characters?|chars?|columns?|bytes?|octets?|letters?|digits?)\b|"
                r"length\W{0,3}(?:=|:|of|is|to|at)?\s*\d", re.I)),  # a setting: "max-line-length = 88"
    (re.compile(r"\b(memory|ram|disk space|storage|file size|size of the file|bandwidth)\b", re.I),
     re.compile(r"\d\s*(?:[kmgtp]i?b|bytes?|kilobytes?|megabytes?|gigabytes?|terabytes?)\b", re.I)),
    # how long something takes: a duration ("How long did the rupture last?" "close to 120 sec")
    (re.compile(r"\bhow long (?:does|do|did|will|would|should|can|could|has|have|had|is|was)\b.*\b(?:take|takes|"
                r"took|last|lasts|lasted|run|runs|wait)\b|\bhow much time\b", re.I),
     re.compile(r"\b(?:second|sec|minute|min|hour|hr|day|week|month|year|yr|decade|centur(?:y|ie)|ms|millisecond|"
                r"microsecond|night|fortnight)s?\b|\d+\s*(?:s|h|m)\b", re.I)),
    (re.compile(r"\b(what (percentage|percent|share|proportion|fraction)|how many percent)\b", re.I),
     re.compile(rf"%|\bper ?cent\b|\b(half|halves|third|quarter|fifth|tenth)s?\b|\bout of\b|"
                rf"\b(\d+|{_SMALL}) in (every )?(\d+|{_SMALL}|hundred|thousand)\b", re.I)),
)


def measured(question: str):
    """The units pattern of the quantity the question asks for, or None when it names no measure citebot knows."""
    for asks, units in _MEASURES:
        if asks.search(question):
            return units
    return None


def offers_measure(sentence: str, question: str) -> bool:
    """Does the sentence hold a number of the kind the question asks for (in its units, when it names a measure)?"""
    units = measured(question)
    if units is not None:
        return bool(units.search(sentence))
    return offers(AnswerType.NUMBER, sentence, question)
