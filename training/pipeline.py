"""``citebot train-reader`` end to end: pairs -> training -> ONNX (int8) -> calibrator fit -> model card.

    python -m training.pipeline                      # the same as citebot train-reader
    python -m training.pipeline --package-only      # redo export, calibration and card from --work's model
    python -m training.pipeline --refit --out qa/reader/model   # calibration and card only, for the shipped model
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from index.errors import SettingError

from qa.reader.calibrator import FILE as CALIBRATOR_FILE
from .card import write_card
from .export import GRAPH, META, export_onnx, quantize, write_model
from .train import TrainSettings, dev_folds, train

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parents[1] / "eval" / "data"
DEFAULT_TRAIN = (str(DATA / "squad-v2.0-train-sample.json"),)
DEFAULT_DEV = str(DATA / "squad-v2.0-dev-public.json")
MAX_QUANTISATION_LOSS = 0.01  # int8 may lose at most this much held-out AUC or top-1 selection against float32


def recorded_file(path: str) -> str:
    """A data file a model records it was made from, as given then; where that path is gone (a fresh clone, another
    machine), the file of the same name in the repo's data folder."""
    if Path(path).is_file():
        return path
    here = DATA / Path(path).name
    if here.is_file():
        return str(here)
    raise SettingError(f"data file not found: {path} (nor {here})")


def train_reader(train_files=None, dev_file=None, out="build/reader/model", work="build/reader",
                 epochs=None, seed=13, max_steps=-1, max_pairs=None, device="cpu", fit_limit=None,
                 max_quantisation_loss=MAX_QUANTISATION_LOSS) -> str:
    """Train, then package; returns a one-line summary."""
    settings = TrainSettings(tuple(train_files or DEFAULT_TRAIN), dev_file or DEFAULT_DEV,
                             **({"epochs": epochs} if epochs else {}), seed=seed, max_steps=max_steps,
                             max_pairs=max_pairs, device=device)
    from index.embed import default_model_dir

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    Path(work).mkdir(parents=True, exist_ok=True)
    summary = train(settings, work, default_model_dir())
    (Path(work) / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return package(work, out, fit_limit, max_quantisation_loss)


def package(work: str, out: str, fit_limit: int | None = None,
            max_quantisation_loss: float = MAX_QUANTISATION_LOSS) -> str:
    """Export ``work/torch`` to int8 ONNX, fit the calibrator on the held-out fold, write ``out`` and its card."""
    from .fit import ABSENT_SHARE, ask_all, fit, read_all
    from qa.reader.highlight import get_highlighter
    from qa.reader.model import Reader

    work_dir = Path(work)
    try:
        summary = json.loads((work_dir / "summary.json").read_text(encoding="utf-8"))
    except OSError:
        raise SettingError(f"no trained reader in {work_dir} (summary.json missing); run citebot train-reader")
    dev_file = summary["settings"]["dev_file"]
    if not dev_file:
        raise SettingError("the calibrator needs a held-out SQuAD file: train with --dev")
    held_out = dev_folds(dev_file)[1]
    graph32, tokenizer = export_onnx(work_dir / "torch")
    with tempfile.TemporaryDirectory(prefix="citebot-reader-") as tmp:
        graph8 = quantize(graph32, tmp)
        t0 = time.time()
        asked = ask_all(dev_file, held_out, limit=fit_limit, absent=ABSENT_SHARE)
        whole = ask_all(dev_file, held_out, limit=fit_limit)
        write_model(Path(tmp) / "fp32", graph32, tokenizer, {})
        fp32 = read_all(asked, Reader(Path(tmp) / "fp32"), marker=get_highlighter())
        write_model(Path(tmp) / "int8", graph8, tokenizer, {})
        int8 = read_all(asked, Reader(Path(tmp) / "int8"), marker=get_highlighter())
        int8_whole = read_all(whole, Reader(Path(tmp) / "int8"), marker=get_highlighter())
        log.info("held-out features collected in %.0f s", time.time() - t0)
    cal32, fig32 = fit(fp32)
    cal8, fig8 = fit(int8, also=int8_whole)
    # a figure a small fit cannot give (an AUC over questions of one kind, on a --fit-limit smoke run) is not compared
    loss = max((fig32[k] - fig8[k] for k in ("auc_confidence", "top1_holds_answer_reader")
                if fig32[k] is not None and fig8[k] is not None), default=0.0)
    if loss > max_quantisation_loss:
        raise SettingError(f"int8 quantisation lost {loss:.3f} of held-out AUC/top-1 (more than "
                           f"{max_quantisation_loss}); the float32 graph is over the size limit, so nothing was "
                           f"written")
    out_dir = Path(out)
    write_model(out_dir, graph8, tokenizer, {"quantisation": "dynamic int8 weights (onnxruntime)",
                                             "training": summary})
    (out_dir / CALIBRATOR_FILE).write_text(cal8.to_json({"held_out": fig8, "held_out_float32": fig32}),
                                            encoding="utf-8")
    write_card(out_dir, summary, fig8, fig32, len(graph8))
    return (f"reader written to {out_dir}: {summary['pairs']} pairs, {summary['steps']} steps; held-out "
            f"({', '.join(held_out)}): top-1 {fig8['top1_holds_answer_reader']} (heuristic "
            f"{fig8['top1_holds_answer_heuristic']}), AUC {fig8['auc_confidence']} (heuristic "
            f"{fig8['auc_heuristic']}), threshold {fig8['threshold']}")


def refit(out: str, fit_limit: int | None = None) -> str:
    """Fit the calibrator of the model in ``out`` again on its held-out fold, as retrieval now hands it candidates
    (after a change to retrieval or candidate scoring), and rewrite the card. The model itself is not touched."""
    from .fit import ABSENT_SHARE, ask_all, fit, read_all
    from qa.reader.highlight import get_highlighter
    from qa.reader.model import Reader

    folder = Path(out)
    reader = Reader(folder)
    summary = json.loads((folder / META).read_text(encoding="utf-8")).get("training")
    if not summary or not summary["settings"].get("dev_file"):
        raise SettingError(f"{folder / META} does not say which held-out SQuAD file it was fit on")
    dev_file = recorded_file(summary["settings"]["dev_file"])
    held_out = dev_folds(dev_file)[1]
    asked = ask_all(dev_file, held_out, limit=fit_limit, absent=ABSENT_SHARE)
    whole = ask_all(dev_file, held_out, limit=fit_limit)  # every paragraph indexed: its false abstention counts too
    cal, fig = fit(read_all(asked, reader, marker=get_highlighter()),
                   also=read_all(whole, reader, marker=get_highlighter()))
    before = json.loads((folder / CALIBRATOR_FILE).read_text(encoding="utf-8"))
    fig32 = before.get("held_out_float32", {})  # measured when the model was exported; not re-measured here
    (folder / CALIBRATOR_FILE).write_text(cal.to_json({"held_out": fig, "held_out_float32": fig32}),
                                          encoding="utf-8")
    write_card(folder, summary, fig, fig32, (folder / GRAPH).stat().st_size)
    return (f"calibrator refit in {folder}: top-1 {fig['top1_holds_answer_reader']} (heuristic "
            f"{fig['top1_holds_answer_heuristic']}), AUC {fig['auc_confidence']}, threshold {fig['threshold']} "
            f"(was {before.get('threshold')})")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.pipeline")
    p.add_argument("--work", default="build/reader")
    p.add_argument("--out", default="build/reader/model")
    p.add_argument("--package-only", action="store_true")
    p.add_argument("--refit", action="store_true", help="fit the calibrator of the model in --out again")
    p.add_argument("--fit-limit", type=int, help="fit on the first N held-out questions (smoke tests)")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if a.refit:
        print(refit(a.out, a.fit_limit))
        return 0
    print(package(a.work, a.out, a.fit_limit) if a.package_only else
          train_reader(out=a.out, work=a.work, fit_limit=a.fit_limit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
