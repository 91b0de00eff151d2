"""The training subcommands: train-reader and train-highlighter (both seeded, CPU by default)."""
from __future__ import annotations

SQUAD_TRAIN = "eval/data/squad-v2.0-train-sample.json"
SQUAD_DEV = "eval/data/squad-v2.0-dev-public.json"


def register(sub) -> None:
    t = _common(sub, "train-reader", "train the reader model", "reader", "qa/reader/model",
                dev_use="fits the calibrator", loss_of="AUC or top-1", loss=0.01, epochs="1.2", unit="pairs")
    t.add_argument("--fit-limit", type=int, help="fit the calibrator on N questions per held-out article (smoke)")
    t.add_argument("--max-pairs", type=int, default=None, help="use only N pairs (smoke tests)")
    t.set_defaults(func=cmd_train_reader)
    h = _common(sub, "train-highlighter", "train the span head that marks the answer's words", "highlighter",
                "qa/reader/highlighter", dev_use="measures", loss_of="F1", loss=0.02, epochs="3", unit="examples")
    h.add_argument("--max-examples", type=int, default=None, help="use only N examples (smoke tests)")
    h.add_argument("--package-only", action="store_true",
                   help="redo only the export, held-out figures and card from the model in --work")
    h.set_defaults(func=cmd_train_highlighter)


def _common(sub, name: str, what: str, kind: str, shipped: str, dev_use: str, loss_of: str, loss: float,
            epochs: str, unit: str):
    """A training subcommand with the options both share."""
    p = sub.add_parser(name, help=f"{what} (CPU, seeded; see {shipped}/README.md)")
    p.add_argument("--train", nargs="+", metavar="SQUAD.json",
                   help=f"SQuAD 2.0 training files (default: {SQUAD_TRAIN})")
    p.add_argument("--dev", metavar="SQUAD.json",
                   help=f"SQuAD 2.0 file split by article: half trains, half {dev_use} (default: {SQUAD_DEV})")
    p.add_argument("--out", default=f"build/{kind}/model",
                   help=f"where the model and its card go (default build/{kind}/model; the shipped one: {shipped})")
    p.add_argument("--work", default=f"build/{kind}", help="training folder: the float32 checkpoint, summary")
    p.add_argument("--max-quantisation-loss", type=float, default=loss,
                   help=f"refuse int8 when it loses more held-out {loss_of} than this (default {loss})")
    p.add_argument("--epochs", type=float, default=None, help=f"passes over the {unit} (default {epochs})")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--max-steps", type=int, default=-1, help="stop after N steps (smoke tests)")
    p.add_argument("--device", default="cpu", help="cpu (default, reproducible) or cuda")
    return p


def cmd_train_reader(args) -> int:
    from training.pipeline import train_reader

    print(train_reader(args.train, args.dev, args.out, args.work, epochs=args.epochs, seed=args.seed,
                       max_steps=args.max_steps, max_pairs=args.max_pairs, device=args.device,
                       fit_limit=args.fit_limit, max_quantisation_loss=args.max_quantisation_loss))
    return 0


def cmd_train_highlighter(args) -> int:
    from training.highlight_train import train_highlighter

    print(train_highlighter(args.train, args.dev, args.out, args.work, epochs=args.epochs, seed=args.seed,
                            max_steps=args.max_steps, max_examples=args.max_examples, device=args.device,
                            max_quantisation_loss=args.max_quantisation_loss, package_only=args.package_only))
    return 0
