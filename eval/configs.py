"""citebot configurations to evaluate (``--compare dense hybrid,k=10 min_evidence=0.5``) as Systems."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from qa.errors import SettingError
from qa.types import ANSWERERS, CALIBRATED, DEFAULT_ANSWERER

MODES = ("hybrid", "dense", "lexical")  # the modes qa.retriever accepts
NEVER = -1e9  # a heuristic threshold no score is below: the answerer never abstains


def setting_defaults() -> dict[str, float]:
    """The ExtractiveSettings fields a spec may set, with their defaults (read from qa, so new ones work)."""
    import dataclasses

    from qa import ExtractiveSettings

    return {f.name: getattr(ExtractiveSettings(), f.name) for f in dataclasses.fields(ExtractiveSettings)}


@dataclass(frozen=True)
class CitebotConfig:
    mode: str = "hybrid"
    k: int = 5
    overrides: tuple[tuple[str, float], ...] = ()   # ExtractiveSettings fields changed from the defaults
    answerer: str = DEFAULT_ANSWERER
    min_confidence: float | None = None  # the reader's threshold (None: the shipped one)
    forced: bool = False                 # never abstain (for risk-coverage curves: confidence decides later)
    search: tuple[tuple[str, object], ...] = ()  # SearchSettings fields changed (dense_weight, normalise, ...)
    llm: object = None                   # qa.LLMSettings: the LLM answers, the answerer above is its fallback

    @property
    def label(self) -> str:
        parts = [f"llm {self.llm.model}"] if self.llm is not None else []
        parts += ([] if self.answerer == ANSWERERS[0] else [self.answerer]) + [self.mode, f"k={self.k}"]
        parts += [f"{n}={v:g}" for n, v in self.overrides] + [f"{n}={v}" for n, v in self.search]
        parts += [] if self.min_confidence is None else [f"min_confidence={self.min_confidence:g}"]
        return ",".join(parts + (["never abstains"] if self.forced else []))

    def forced_version(self) -> "CitebotConfig":
        """The same configuration, answering every question (its confidence is still reported)."""
        return dataclasses.replace(self, forced=True)

    def settings(self):
        """ExtractiveSettings with the overrides, or None for the defaults."""
        # the heuristic's thresholds guard the heuristic and the guarded answerer (the reader answerer skips them)
        unguard = self.forced and self.answerer != "reader"
        if not self.overrides and not unguard:
            return None
        from qa import ExtractiveSettings

        defaults = setting_defaults()
        values = {n: type(defaults[n])(v) for n, v in self.overrides}
        if unguard:
            values.update(min_evidence=NEVER, min_dense=NEVER)
        return ExtractiveSettings(**values)

    def search_settings(self):
        """qa's SearchSettings with this configuration's changes."""
        from qa import SearchSettings

        return SearchSettings.with_changes(dict(self.search))

    def ask_options(self) -> dict:
        """qa.ask keyword arguments for the answerer and its threshold."""
        threshold = 0.0 if self.forced else self.min_confidence
        return {"answerer": self.answerer, "min_confidence": threshold if self.answerer in CALIBRATED else None}


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SettingError(f"invalid value {text!r} for {name} in --compare; expected a number") from None


def parse_config(spec: str, base: CitebotConfig = CitebotConfig()) -> CitebotConfig:
    """``dense``, ``k=10``, ``lexical,k=3``, ``min_evidence=0.5``: changes from ``base``, comma-separated."""
    from qa.retriever import SearchSettings

    mode, k, overrides, search = base.mode, base.k, dict(base.overrides), dict(base.search)
    answerer, min_confidence = base.answerer, base.min_confidence
    fields, search_fields = setting_defaults(), asdict(SearchSettings())
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, eq, value = part.partition("=")
        name = name.strip().lower().replace("-", "_")
        if not eq and name in MODES:
            mode = name
        elif (not eq and name in ANSWERERS) or (eq and name == "answerer"):
            answerer = name if not eq else value.strip()
            if answerer not in ANSWERERS:
                raise SettingError(f"invalid answerer {answerer!r} in --compare; valid values: "
                                   f"{', '.join(ANSWERERS)}")
        elif eq and name == "min_confidence":
            min_confidence = _number(name, value)
            if not 0.0 <= min_confidence <= 1.0:
                raise SettingError(f"min_confidence must be between 0 and 1 in --compare (got {value})")
        elif eq and name in ("k", "mode"):
            if name == "mode" and value not in MODES:
                raise SettingError(f"invalid mode {value!r} in --compare; valid values: {', '.join(MODES)}")
            mode = value if name == "mode" else mode
            k = int(_number("k", value)) if name == "k" else k
        elif eq and name in fields:
            overrides[name] = _number(name, value)
        elif eq and name in search_fields:
            default = search_fields[name]
            search[name] = value.strip() if isinstance(default, str) else type(default)(_number(name, value))
        else:
            raise SettingError(f"invalid --compare spec {part!r}; use an answerer ({', '.join(ANSWERERS)}), a mode "
                               f"({', '.join(MODES)}), k=N, min_confidence=P or a setting such as "
                               f"min_evidence=0.5 or normalise=top, joined by commas")
    if k < 1:
        raise SettingError(f"invalid k={k} in --compare; must be at least 1")
    config = CitebotConfig(mode, k, tuple(sorted(overrides.items())), answerer, min_confidence,
                           search=tuple(sorted(search.items())))
    config.search_settings()  # validates the fusion settings now, with their own one-line error
    config.settings()  # validates ranges now, with the settings' own one-line error
    return config


def parse_configs(specs: Sequence[str], base: CitebotConfig) -> list[CitebotConfig]:
    """The base config first, then each spec's config, duplicates dropped."""
    configs = [base]
    for spec in specs:
        c = parse_config(spec, base)
        if c not in configs:
            configs.append(c)
    return configs


def forget_query_vectors() -> None:
    """Drop the embedder's per-question cache so every configuration pays for embedding the question."""
    from index import get_embedder

    get_embedder().clear_query_cache()


class CitebotSystem:
    """qa.ask / qa.retrieve over one index in one configuration."""

    def __init__(self, index_dir: str | os.PathLike, config: CitebotConfig = CitebotConfig(),
                 index_seconds: float | None = None, name: str = "citebot", cold_queries: bool = True):
        self.index_dir, self.cfg, self.index_seconds = str(index_dir), config, index_seconds
        self.name, self.config, self.cold_queries = name, config.label, cold_queries
        self._settings = config.settings()

    def answer(self, question: str):
        from qa import ask

        if self.cold_queries:
            forget_query_vectors()
        return ask(question, index_dir=self.index_dir, k=self.cfg.k, mode=self.cfg.mode, settings=self._settings,
                   search=self.cfg.search_settings(), llm=self.cfg.llm, **self.cfg.ask_options())

    def ranked_passages(self, question: str, depth: int) -> list:
        from qa import retrieve

        return retrieve(question, k=depth, index_dir=self.index_dir, mode=self.cfg.mode,
                        search=self.cfg.search_settings())

    def ranked_docs(self, question: str, depth: int) -> list[str]:
        return [p.doc_id for p in self.ranked_passages(question, depth)]

    def with_settings(self, settings, name: str) -> "CitebotSystem":
        """The same index and retrieval with other ExtractiveSettings (for calibration)."""
        default = type(settings)()
        overrides = tuple((f.name, getattr(settings, f.name)) for f in dataclasses.fields(settings)
                          if getattr(settings, f.name) != getattr(default, f.name))
        return CitebotSystem(self.index_dir, dataclasses.replace(self.cfg, overrides=overrides),
                             self.index_seconds, name, self.cold_queries)
