"""SQuAD-format files as gold data: every paragraph becomes a document, every question a gold item."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from qa.errors import check_range
from qa.reader.calibrator import withheld  # the calibration leaves out the same paragraphs

from .gold import GoldError, GoldItem, spread

SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")


@dataclass(frozen=True)
class Paragraph:
    doc_id: str      # "<article index>_<paragraph index>", zero-padded: stable for a given file
    title: str
    context: str


@dataclass(frozen=True)
class SquadSet:
    name: str
    paragraphs: tuple[Paragraph, ...]
    items: tuple[GoldItem, ...]


def doc_id_of(article: int, paragraph: int) -> str:
    return f"{article:03d}_{paragraph:03d}"


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding [start, end): the answer's evidence."""
    begin = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() <= start:
            begin = m.end()
        elif m.start() >= end:
            return text[begin:m.start() + 1].strip()
    return text[begin:].strip()


def _question(q: dict, doc_id: str, context: str, where: str) -> GoldItem:
    if not isinstance(q.get("question"), str) or not isinstance(q.get("id"), (str, int)):
        raise GoldError(f"{where}: needs 'id' and 'question'")
    impossible = bool(q.get("is_impossible", False))
    answers = [a for a in q.get("answers", []) if isinstance(a, dict) and str(a.get("text", "")).strip()]
    if impossible or not answers:
        if not impossible:
            raise GoldError(f"{where}: answerable question without answers (set is_impossible or add answers)")
        return GoldItem(str(q["id"]), " ".join(q["question"].split()), (), (), "", "unanswerable")
    first = answers[0]
    start = int(first.get("answer_start", max(context.find(first["text"]), 0)))
    evidence = sentence_around(context, start, start + len(first["text"]))
    texts = tuple(dict.fromkeys(a["text"] for a in answers))
    return GoldItem(str(q["id"]), " ".join(q["question"].split()), texts, (doc_id,), evidence, "single")


def parse_squad(data: object, where: str, absent: float = 0.0) -> tuple[list[Paragraph], list[GoldItem]]:
    """Paragraphs and gold items of decoded SQuAD JSON (v1.1 or v2.0).

    ``absent``: the share of paragraphs left out of the documents; every question about one of them becomes kind
    "absent" (on topic, its passage not in the documents: the right answer is an abstention)."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise GoldError(f"{where}: not a SQuAD file (no top-level 'data' list)")
    paragraphs, items = [], []
    for a, article in enumerate(data["data"]):
        for p, para in enumerate(article.get("paragraphs", []) if isinstance(article, dict) else []):
            at = f"{where}: data[{a}].paragraphs[{p}]"
            if not isinstance(para, dict) or not isinstance(para.get("context"), str) or not para["context"].strip():
                raise GoldError(f"{at}: needs a non-empty 'context'")
            doc_id = doc_id_of(a, p)
            left_out = withheld(doc_id, absent)
            if not left_out:
                paragraphs.append(Paragraph(doc_id, str(article.get("title", "")), para["context"]))
            for i, q in enumerate(para.get("qas", [])):
                item = _question(q if isinstance(q, dict) else {}, doc_id, para["context"], f"{at}.qas[{i}]")
                items.append(GoldItem(item.id, item.question, (), (), "", "absent") if left_out else item)
    if not items:
        raise GoldError(f"{where}: no questions found")
    return paragraphs, items


def select_articles(data: object, articles: list[str] | None, where: str) -> object:
    """Only the named articles (by title); every name must exist."""
    if not articles or not isinstance(data, dict) or not isinstance(data.get("data"), list):
        return data
    titles = [a.get("title") for a in data["data"] if isinstance(a, dict)]
    missing = [t for t in articles if t not in titles]
    if missing:
        raise GoldError(f"{where}: no article titled {', '.join(map(repr, missing))}; titles: {', '.join(titles)}")
    return {**data, "data": [a for a in data["data"] if isinstance(a, dict) and a.get("title") in articles]}


def load_squad(path: str | os.PathLike, limit: int | None = None, articles: list[str] | None = None,
               absent: float = 0.0) -> SquadSet:
    """The file's paragraphs and questions (only the named articles, when given; ``limit`` questions spread;
    ``absent``: the share of paragraphs left out, their questions kind "absent")."""
    check_range("--absent", absent, lo=0.0, hi=0.9)
    path = Path(path)
    if not path.is_file():
        raise GoldError(f"SQuAD file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise GoldError(f"{path}:{e.lineno}: invalid JSON ({e.msg})") from e
    except UnicodeDecodeError as e:
        raise GoldError(f"{path}: not UTF-8 (byte {e.start})") from e
    paragraphs, items = parse_squad(select_articles(data, articles, str(path)), str(path), absent)
    if not paragraphs:
        raise GoldError(f"{path}: --absent {absent:g} left no paragraph to index")
    name = path.stem + ("-" + "-".join(sorted(articles)) if articles and len(articles) <= 1 else
                        f"-{len(articles)}-articles" if articles else "") + (f"-absent{absent:g}" if absent else "")
    return SquadSet(name, tuple(paragraphs), tuple(spread(items, limit)))


def write_documents(squad: SquadSet, folder: str | os.PathLike) -> Path:
    """One ``<doc_id>.txt`` per paragraph, the context exactly as in the file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for p in squad.paragraphs:
        (folder / f"{p.doc_id}.txt").write_text(p.context, encoding="utf-8")
    return folder
