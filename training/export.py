"""Trained reader (sentence-transformers CrossEncoder folder) -> the shipped files: an int8 ONNX graph, its
tokenizer, and ``reader.json`` (format version, sha256 of each file, input settings). Needs torch."""
from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from pathlib import Path

from qa.reader.text import MAX_TOKENS

from qa.reader.model import FORMAT_VERSION, GRAPH, META, TOKENIZER  # noqa: F401 (what the export writes)

OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_onnx(torch_dir: str | os.PathLike) -> tuple[bytes, bytes]:
    """(float32 ONNX graph giving one logit per pair, tokenizer JSON) of a saved CrossEncoder."""
    import torch
    from sentence_transformers.cross_encoder import CrossEncoder

    model = CrossEncoder(str(torch_dir), device="cpu", local_files_only=True)
    network = model[0].auto_model.eval() if hasattr(model[0], "auto_model") else model.model.eval()
    tokenizer = model.tokenizer
    features = tokenizer([("who?", "someone")], truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
    names = [n for n in INPUTS if n in features]

    class Logit(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.network = network

        def forward(self, *inputs):
            return self.network(**dict(zip(names, inputs))).logits[:, 0]

    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(Logit().eval(), tuple(features[n] for n in names), buffer, input_names=names,
                          output_names=["logit"], dynamic_axes={n: {0: "pairs", 1: "tokens"} for n in names},
                          opset_version=OPSET, dynamo=False)
    return buffer.getvalue(), tokenizer.backend_tokenizer.to_str().encode("utf-8")


def quantize(graph: bytes, workdir: str | os.PathLike, per_channel: bool = False) -> bytes:
    """Dynamic int8 quantisation of the weights (activations stay float); ``per_channel``: one scale per output
    channel instead of one per tensor."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    src, dst = Path(workdir) / "fp32.onnx", Path(workdir) / "int8.onnx"
    src.write_bytes(graph)
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=per_channel)
    return dst.read_bytes()


def write_model(folder: str | os.PathLike, graph: bytes, tokenizer: bytes, extra: dict) -> Path:
    """Graph, tokenizer, then reader.json vouching for both (sha256), each written atomically."""
    meta = {"format_version": FORMAT_VERSION, "max_tokens": MAX_TOKENS, "inputs": list(INPUTS), **extra}
    return write_files(folder, {GRAPH: graph, TOKENIZER: tokenizer}, META, meta)


def write_files(folder: str | os.PathLike, files: dict[str, bytes], meta_name: str, meta: dict) -> Path:
    """Each file, then the JSON ``meta_name`` holding ``meta`` and the sha256 of every file, each written
    atomically (a reader never sees a JSON file vouching for files not yet written)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {**meta, "files": {name: sha256_bytes(data) for name, data in files.items()}}
    for name, data in (*files.items(), (meta_name, (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode())):
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
    return folder / meta_name
