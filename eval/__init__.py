"""citebot.eval: measure retrieval, answers, citations, abstention and latency against gold questions.

Light on import (no models): ``from eval import load_gold, run_gold``; the runner imports qa only when a
citebot system is asked something. See eval/README.md for the gold format and metric definitions.
"""
from .gold import DEFAULT_GOLD, GoldError, GoldItem, load_gold
from .records import CitationRecord, EvalReport, QuestionResult, RunResult, Scores, Verdict
from .runner import FunctionSystem, System, run_gold

__all__ = ["load_gold", "GoldItem", "GoldError", "DEFAULT_GOLD", "run_gold", "System", "FunctionSystem",
           "CitationRecord", "QuestionResult", "RunResult", "Scores", "Verdict", "EvalReport"]
