"""The shipped reader: sha256-checked at load, no torch needed, and it reads questions against sentences."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index.errors import ModelError
from qa.reader.model import DEFAULT_DIR, Reader, held_out_articles


def test_shipped_model_is_small_and_loads(tmp_path):
    size = sum(f.stat().st_size for f in DEFAULT_DIR.iterdir())
    assert size <= 60 * 1024 * 1024
    r = Reader()
    logits = r.logits("Who designed the harbour bridge?", [
        "The harbour bridge opened in 1932.", "It was designed by John Bradfield. [SEP] The bridge opened in 1932.",
        "Tea was first drunk in China."])
    assert logits.shape == (3,)
    assert logits[1] > logits[2]  # the sentence about the bridge's designer over one about tea


SQUAD_DEV = Path(__file__).resolve().parents[2] / "eval" / "data" / "squad-v2.0-dev-public.json"


@pytest.mark.skipif(not SQUAD_DEV.is_file(), reason="the public SQuAD file is not beside the repository")
def test_on_articles_it_never_saw_the_reader_finds_the_answer_sentence_well_above_chance():
    from training.pairs import load_squad

    reader = Reader()
    hits, chance, n = 0, 0.0, 0
    for p in load_squad(SQUAD_DEV, held_out_articles())[::4]:
        for q in p.questions[:2]:
            gold = p.holding(q.answers)
            if not q.answers or len(p.sentences) < 3:
                continue
            logits = reader.logits(q.text, [p.candidate(i) for i in range(len(p.sentences))])
            hits += int(logits.argmax()) in gold
            chance += len(gold) / len(p.sentences)
            n += 1
    assert n >= 50
    assert hits / n >= 2 * chance / n, (hits / n, chance / n)


def test_a_tampered_model_file_is_refused(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_DIR, folder)
    data = bytearray((folder / "reader.onnx").read_bytes())
    data[-10] ^= 0xFF
    (folder / "reader.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="reader.onnx has sha256 .* expected"):
        Reader(folder)


def test_missing_or_foreign_model_folder_gives_one_line(tmp_path):
    with pytest.raises(ModelError, match="reader model not found") as e:
        Reader(tmp_path)
    assert "\n" not in str(e.value)
    (tmp_path / "reader.json").write_text('{"format_version": 99}', encoding="utf-8")
    with pytest.raises(ModelError, match="format 99"):
        Reader(tmp_path)


def test_reader_runs_without_torch():
    code = ("import sys; from qa.reader.model import get_reader; "
            "get_reader().logits('q?', ['a sentence.']); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_held_out_articles_are_recorded():
    arts = held_out_articles()
    assert len(arts) >= 2 and all(isinstance(a, str) for a in arts)
