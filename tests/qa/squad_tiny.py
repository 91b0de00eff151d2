"""Tiny SQuAD 2.0 files written by the tests (made-up articles)."""
import json

ARTICLES = {
    "Bridges": ("The harbour bridge opened in 1932. It was designed by John Bradfield. Its arch spans 503 metres.",
                [("Who designed the harbour bridge?", "John Bradfield"), ("When did the harbour bridge open?", "1932"),
                 ("Who painted the harbour bridge?", None)]),
    "Rivers": ("The Nile flows north through Egypt. Its delta lies on the Mediterranean. Cairo sits on its banks.",
               [("Which direction does the Nile flow?", "north"), ("Which city sits on the Nile?", "Cairo"),
                ("How long is the Amazon?", None)]),
    "Birds": ("Swifts spend most of their lives flying. Some swifts stay airborne for ten months. They eat insects.",
              [("How long can swifts stay airborne?", "ten months"), ("What do swifts eat?", "insects"),
               ("Where do swifts nest in Norway?", None)]),
    "Tea": ("Tea was first drunk in China. Black tea is fully oxidised. Green tea is steamed or pan-fired.",
            [("Where was tea first drunk?", "China"), ("Which tea is fully oxidised?", "Black tea"),
             ("Who sells the most tea in Peru?", None)]),
}


def squad_json(titles) -> dict:
    data = []
    for t in titles:
        context, qs = ARTICLES[t]
        qas = []
        for i, (q, a) in enumerate(qs):
            if a is None:
                qas.append({"id": f"{t}{i}", "question": q, "answers": [], "is_impossible": True,
                            "plausible_answers": []})
            else:
                qas.append({"id": f"{t}{i}", "question": q, "is_impossible": False,
                            "answers": [{"text": a, "answer_start": context.index(a)}]})
        data.append({"title": t, "paragraphs": [{"context": context, "qas": qas}]})
    return {"version": "v2.0", "data": data}


def write(path, titles):
    path.write_text(json.dumps(squad_json(titles)), encoding="utf-8")
    return path
